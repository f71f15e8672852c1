// The shapes data takes between convkit's parts: loaders produce ImageSets, training
// consumes a Dataset, and class names travel with both so a model's labels are known.

/** Images as bytes, NHWC, with one integer label each. */
export interface ImageSet {
  /** count * height * width * channels bytes, row-major NHWC, values 0..255. */
  images: Uint8Array;
  /** One class index per image, 0 <= label < classNames.length. */
  labels: Int32Array;
  count: number;
  height: number;
  width: number;
  channels: number;
}

/** What `loadDataset` returns: a seeded train/validation split and the class names. */
export interface Dataset {
  train: ImageSet;
  validation: ImageSet;
  /** The official test split when the source has one (CIFAR-10 binary), else undefined. */
  test?: ImageSet;
  classNames: string[];
  /** Where the images came from, for logs and run metadata (a path or URL). */
  source: string;
}
