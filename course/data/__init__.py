"""The data layer: the dataset registry, datasheet schema and typed loaders, the price-catalog
build, the provider history build and the dataset audit."""
