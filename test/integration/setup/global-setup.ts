// jest globalSetup: jest wants the module itself to be the function, hence `export =`.
import { startServices } from './services';

async function globalSetup(): Promise<void> {
  startServices();
}

export = globalSetup;
