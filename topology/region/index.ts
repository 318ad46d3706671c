/** Region configuration (deploy/regions/<region>/region.yaml): schema, loader and its checks, and its error. */
export { RegionError, type RegionIssue } from './region-error';
export { regionSchema, regionTlsSchema, SASL_MECHANISMS, TOPIC_KEYS, type RegionConfig, type RegionInput } from './region-schema';
export {
  defaultRegionsDir, listRegions, loadRegion, loadRegionFile, regionFilePath, REGION_FILE,
  type RegionLoadOptions, type ValidatedRegion,
} from './load-region';
export { checkOverlay, CONFIG_MAP, FILES_CONFIG_MAP, WORKER_NAME, type OverlayFiles } from './check-overlay';
