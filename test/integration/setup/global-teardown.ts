// jest globalTeardown: stops the services that globalSetup started (not ones it adopted).
import { stopServices } from './services';

async function globalTeardown(): Promise<void> {
  stopServices();
}

export = globalTeardown;
