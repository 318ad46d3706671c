/** Charts of an evaluation as Vega-Lite specs, and their rendering to SVG. */
export { bucketScores, scoreTimelineSpec, type BucketedScores, type ScoreTimelineOptions, type TimelinePoint } from './score-timeline';
export { rocSpec, sampleRoc, type RocSeries } from './roc-chart';
export { ChartRenderError, renderVegaLiteSvg } from './render-svg';
