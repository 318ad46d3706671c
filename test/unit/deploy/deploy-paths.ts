/** Paths of the checkout the deploy tests read (repo root = /work/main locally and in CI). */
import * as path from 'node:path';

export const REPO = path.resolve(__dirname, '../../..');
export const DEPLOY = path.join(REPO, 'deploy');
export const REGIONS_DIR = path.join(DEPLOY, 'regions');
export const OVERLAYS_DIR = path.join(DEPLOY, 'k8s', 'overlays');
