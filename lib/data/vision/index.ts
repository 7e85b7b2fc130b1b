/** Vision base datasets and the transformed routing task (Saxe et al. 2022, Sec. 5, App. D). */
export { loadIdx, parseIdx, isGzip, loadMnistLike, FASHION_MNIST_DEBIAN_DIR } from './idx.ts';
export type { IdxArray, IdxData, ImageSet, MnistLikeOptions } from './idx.ts';
export { loadCifar10, loadCifar10Batch } from './cifar.ts';
export type { Cifar10Options } from './cifar.ts';
export { loadNpy, parseNpy, loadCsv, parseCsv, loadFeatures } from './features.ts';
export type { NpyArray, CsvOptions, CsvTable, FeatureSet, FeatureOptions } from './features.ts';
export {
  randomPermutation, pixelPermutations, permuteVector, rotationAngles, rotateImage, rotateImages,
  lexicographicPermutations, labelPermutations, isPermutation,
} from './transforms.ts';
export type { ImageShape } from './transforms.ts';
export { syntheticDigits } from './synthetic.ts';
export { transformedRoutingTask, routeAccuracy, estimateTransformedRoutingBytes } from './transformedRouting.ts';
export type { TransformedRoutingOptions, TransformedRoutingTask, RouteSamples, RouteAccuracy, GroupAccuracy, InputTransform } from './transformedRouting.ts';
