"""image_dataset_from_directory and text_dataset_from_directory: folders of files as Datasets.

The folder walk, the label inference, the seeded shuffle of the file list and the validation
split follow Keras 3 line by line, so the same folder gives the same files in the same order
and split. Files are read batch by batch while the dataset is iterated. Images are decoded with
Pillow (imported on first use) and resized as `tf.image.resize` does: "bilinear" and "nearest"
reproduce TensorFlow's kernels (half-pixel centres, no antialiasing); the other interpolations
use Pillow's filter of the same name, which is close but not identical. PNG pixels are TF's
exactly (grey conversion included); JPEG pixels may differ from TF's by a level or two, since
libjpeg's IDCT variant differs.
"""

from __future__ import annotations

import os

import numpy as np

import tapeflow as tf

ALLOWLIST_FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
_INTERPOLATIONS = ("bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5",
                   "gaussian", "mitchellcubic")


# -- the folder walk (Keras's dataset_utils) ------------------------------------------------------
def index_directory(directory, labels, formats, class_names=None, shuffle=True, seed=None,
                    follow_links=False, verbose=True):
    """The file paths, labels and class names of a folder, as Keras's index_directory."""
    directory = os.fspath(directory)
    if labels == "inferred":
        subdirs = [d for d in sorted(os.listdir(directory))
                   if os.path.isdir(os.path.join(directory, d)) and not d.startswith(".")]
        if class_names is not None:
            if not set(class_names).issubset(set(subdirs)):
                raise ValueError("The `class_names` passed did not match the names of the "
                                 "subdirectories of the target directory. Expected: "
                                 f"{subdirs} (or a subset of it), but received: "
                                 f"class_names={class_names}")
            subdirs = list(class_names)
    else:
        subdirs = [""]
        if class_names is not None:
            if labels is None:
                raise ValueError("When `labels=None` (no labels), argument `class_names` "
                                 "cannot be specified.")
            raise ValueError("When argument `labels` is specified, argument `class_names` "
                             "cannot be specified (the `class_names` will be the sorted list "
                             "of labels).")
    class_names = subdirs
    filenames, label_list = [], []
    for index, subdir in enumerate(subdirs):
        folder = os.path.join(directory, subdir)
        for root, fname in _valid_files(folder, follow_links, formats):
            filenames.append(os.path.join(os.path.basename(folder),
                                          os.path.relpath(os.path.join(root, fname), folder)))
            label_list.append(index)
    if labels == "inferred":
        labels = np.array(label_list, dtype="int32")
    elif labels is None:
        class_names = None
    else:
        if len(labels) != len(filenames):
            raise ValueError(f"Expected the lengths of `labels` to match the number of files in "
                             f"the target directory. len(labels) is {len(labels)} while we "
                             f"found {len(filenames)} files in directory {directory}.")
        class_names = [str(label) for label in sorted(set(labels))]
    if verbose:
        if labels is None:
            print(f"Found {len(filenames)} files.")
        else:
            print(f"Found {len(filenames)} files belonging to {len(class_names)} classes.")
    file_paths = [os.path.join(directory, fname) for fname in filenames]
    if shuffle:
        if seed is None:
            seed = np.random.randint(1e6)
        np.random.RandomState(seed).shuffle(file_paths)
        if labels is not None:
            np.random.RandomState(seed).shuffle(labels)
    return file_paths, labels, class_names


def _valid_files(directory, follow_links, formats):
    walk = os.walk(directory, followlinks=follow_links)
    for root, _, files in sorted(walk, key=lambda x: x[0]):
        for fname in sorted(files):
            if fname.lower().endswith(formats):
                yield root, fname


def _check_validation_split(validation_split, subset, shuffle, seed):
    if validation_split and not 0 < validation_split < 1:
        raise ValueError(f"`validation_split` must be between 0 and 1, received: "
                         f"{validation_split}")
    if (validation_split or subset) and not (validation_split and subset):
        raise ValueError("If `subset` is set, `validation_split` must be set, and inversely.")
    if subset not in ("training", "validation", "both", None):
        raise ValueError(f'`subset` must be either "training", "validation" or "both", '
                         f"received: {subset}")
    if validation_split and shuffle and seed is None:
        raise ValueError("If using `validation_split` and shuffling the data, you must provide "
                         "a `seed` argument, to make sure that there is no overlap between the "
                         "training and validation subset.")


def _split(samples, labels, validation_split, subset):
    if not validation_split:
        return samples, labels
    num_val = int(validation_split * len(samples))
    if subset == "training":
        print(f"Using {len(samples) - num_val} files for training.")
        return samples[:-num_val], None if labels is None else labels[:-num_val]
    print(f"Using {num_val} files for validation.")
    return samples[-num_val:], None if labels is None else labels[-num_val:]


def _label_array(labels, label_mode, num_classes):
    labels = np.asarray(labels)
    if label_mode == "binary":
        return labels.astype("float32")[:, None]
    if label_mode == "categorical":
        return np.eye(num_classes, dtype="float32")[labels.astype("int64")]
    return labels


def _datasets(paths, labels, validation_split, subset, build, directory):
    """One dataset, or [training, validation] for subset="both", with Keras's attributes."""
    subsets = ["training", "validation"] if subset == "both" else [subset]
    out = []
    for part in subsets:
        part_paths, part_labels = _split(paths, labels, validation_split, part)
        if not part_paths:
            what = {"training": "training ", "validation": "validation "}.get(
                part if subset == "both" else None, "")
            raise ValueError(f"No {what}{build.noun} found in directory {directory}. "
                             f"Allowed formats: {build.formats}")
        out.append(build(part_paths, part_labels, part == "training" or subset != "both"))
    return out if subset == "both" else out[0]


class _Builder:
    """Paths (+ labels) -> shuffled, batched dataset whose batches `load` reads."""

    def __init__(self, noun, formats, load, label_mode, num_classes, batch_size, shuffle, seed,
                 class_names):
        self.noun, self.formats, self.load = noun, formats, load
        self.label_mode, self.num_classes = label_mode, num_classes
        self.batch_size, self.shuffle, self.seed = batch_size, shuffle, seed
        self.class_names = class_names

    def __call__(self, paths, labels, may_shuffle):
        ds = tf.data.Dataset.from_tensor_slices(np.array(paths, dtype=object))
        if self.label_mode:
            labels = _label_array(labels, self.label_mode, self.num_classes)
            ds = tf.data.Dataset.zip((ds, tf.data.Dataset.from_tensor_slices(labels)))
        if self.shuffle and may_shuffle:
            buffer = self.batch_size * 8 if self.batch_size is not None else 1024
            ds = ds.shuffle(buffer_size=buffer, seed=self.seed)
        if self.batch_size is not None:
            ds = ds.batch(self.batch_size)  # read a whole batch of files per step
        load = self.load
        ds = ds.map((lambda p, y: (load(p), y)) if self.label_mode else load)
        ds = ds.prefetch(tf.data.AUTOTUNE)
        ds.class_names = self.class_names
        ds.file_paths = list(paths)
        return ds


# -- images -------------------------------------------------------------------------------------
def image_dataset_from_directory(directory, labels="inferred", label_mode="int",
                                 class_names=None, color_mode="rgb", batch_size=32,
                                 image_size=(256, 256), shuffle=True, seed=None,
                                 validation_split=None, subset=None, interpolation="bilinear",
                                 follow_links=False, crop_to_aspect_ratio=False,
                                 pad_to_aspect_ratio=False, data_format=None, format="tf",
                                 verbose=True):
    """A dataset of (image batch, label batch) from a folder with one subfolder per class.

    Images are float32 of shape (batch, height, width, channels), values 0..255 (not
    rescaled); labels are int32 (label_mode="int"), float32 one-hot ("categorical") or float32
    of shape (batch, 1) ("binary"). The dataset has `class_names` and `file_paths`.

    Example:
        >>> train = image_dataset_from_directory("cats_vs_dogs/train",  # doctest: +SKIP
        ...                                      image_size=(180, 180), batch_size=32)
    """
    labels, label_mode, channels, image_size, interpolation = _check_image_args(
        labels, label_mode, class_names, color_mode, image_size, interpolation, format,
        crop_to_aspect_ratio, pad_to_aspect_ratio)
    _check_validation_split(validation_split, subset, shuffle, seed)
    if seed is None:
        seed = np.random.randint(1e6)
    paths, labels, class_names = index_directory(directory, labels, ALLOWLIST_FORMATS,
                                                 class_names, shuffle, seed, follow_links,
                                                 verbose)
    if label_mode == "binary" and len(class_names) != 2:
        raise ValueError(f'When passing `label_mode="binary"`, there must be exactly 2 '
                         f"class_names. Received: class_names={class_names}")
    channels_first = (data_format or _image_data_format()) == "channels_first"

    def load(batch_of_paths):
        names = np.asarray(batch_of_paths.numpy(), dtype=object)
        images = [load_image(p, image_size, channels, interpolation, crop_to_aspect_ratio,
                             pad_to_aspect_ratio) for p in names.reshape(-1)]
        dtype = "uint8" if interpolation == "nearest" else "float32"
        out = np.stack(images).reshape(names.shape + images[0].shape) if images else \
            np.zeros(names.shape + (*image_size, channels), dtype)
        if channels_first:
            out = np.moveaxis(out, -1, -3)
        return tf.constant(out)

    build = _Builder("images", ALLOWLIST_FORMATS, load, label_mode,
                     len(class_names) if class_names else 0, batch_size, shuffle, seed,
                     class_names)
    return _datasets(paths, labels, validation_split, subset, build, directory)


def _check_image_args(labels, label_mode, class_names, color_mode, image_size, interpolation,
                      format, crop, pad):
    _check_labels(labels, label_mode, class_names, "image")
    if labels is None or label_mode is None:
        labels = label_mode = None
    channels = {"rgb": 3, "rgba": 4, "grayscale": 1}.get(color_mode)
    if channels is None:
        raise ValueError('`color_mode` must be one of {"rgb", "rgba", "grayscale"}. '
                         f"Received: color_mode={color_mode}")
    if isinstance(image_size, int):
        image_size = (image_size, image_size)
    elif not isinstance(image_size, (list, tuple)) or len(image_size) != 2:
        raise ValueError("Invalid `image_size` value. Expected a tuple of 2 integers. "
                         f"Received: image_size={image_size}")
    interpolation = interpolation.lower()
    if interpolation not in _INTERPOLATIONS:
        raise ValueError(f"Argument `interpolation` should be one of {_INTERPOLATIONS}. "
                         f"Received: interpolation={interpolation}")
    if format != "tf":
        raise ValueError(f'`format` should be either "tf" or "grain". Received: '
                         f"format={format}" if format not in ("tf", "grain") else
                         'format="grain" needs the grain package; tapeflow offers "tf".')
    if crop and pad:
        raise ValueError("Only one of `pad_to_aspect_ratio`, `crop_to_aspect_ratio` can be set "
                         "to `True`.")
    return labels, label_mode, channels, tuple(int(s) for s in image_size), interpolation


def _check_labels(labels, label_mode, class_names, kind):
    if labels not in ("inferred", None):
        if not isinstance(labels, (list, tuple)):
            raise ValueError(f"`labels` argument should be a list/tuple of integer labels, of "
                             f"the same size as the number of {kind} files in the target "
                             f"directory. If you wish to infer the labels from the subdirectory "
                             f'names in the target directory, pass `labels="inferred"`. If you '
                             f"wish to get a dataset that only contains {kind}s (no labels), "
                             f"pass `labels=None`. Received: labels={labels}")
        if class_names:
            raise ValueError(f'You can only pass `class_names` if `labels="inferred"`. '
                             f"Received: labels={labels}, and class_names={class_names}")
    if label_mode not in {"int", "categorical", "binary", None}:
        raise ValueError('`label_mode` argument must be one of "int", "categorical", "binary", '
                         f"or None. Received: label_mode={label_mode}")


def _image_data_format():
    from tapeflow.keras import backend
    return backend.image_data_format()


def load_image(path, image_size, channels, interpolation="bilinear", crop_to_aspect_ratio=False,
               pad_to_aspect_ratio=False):
    """One image file as float32 (height, width, channels), resized like tf.image.resize."""
    try:
        from PIL import Image
    except ImportError:
        raise ImportError("image_dataset_from_directory reads images with Pillow: "
                          "pip install pillow") from None
    path = path.decode() if isinstance(path, bytes) else path
    with Image.open(path) as image:
        pixels = _decode(image, channels)
    if pixels.ndim == 2:
        pixels = pixels[:, :, None]
    if crop_to_aspect_ratio:
        pixels = _center_crop(pixels, image_size)
    elif pad_to_aspect_ratio:
        return _resize_with_pad(pixels, image_size, interpolation)
    return resize(pixels, image_size, interpolation)


def _decode(image, channels):
    """Pixels with `channels` channels, converted the way TF's decoders convert them."""
    if channels != 1 or image.mode in ("L", "I;16"):
        return np.asarray(image.convert({1: "L", 3: "RGB", 4: "RGBA"}[channels]))
    if image.format == "JPEG":
        image.draft("L", image.size)  # libjpeg hands out its luma channel, as TF asks it to
        return np.asarray(image.convert("L"))
    if image.format == "PNG":
        # libpng's png_set_rgb_to_gray(0.299, 0.587) as TF calls it: fixed point, truncated
        rgb = np.asarray(image.convert("RGB")).astype(np.uint32)
        gray = (9797 * rgb[..., 0] + 19234 * rgb[..., 1] + 3737 * rgb[..., 2]) >> 15
        return gray.astype(np.uint8)
    return np.asarray(image.convert("L"))


def _center_crop(pixels, size):
    """Keras's smart_resize crop: the largest centred window with the target aspect ratio."""
    height, width = pixels.shape[:2]
    target_height, target_width = size
    crop_height = max(min(height, int(np.float32(width * target_height) / target_width)), 1)
    crop_width = max(min(width, int(np.float32(height * target_width) / target_height)), 1)
    top = int(np.float32(height - crop_height) / 2)
    left = int(np.float32(width - crop_width) / 2)
    return pixels[top:top + crop_height, left:left + crop_width]


def _resize_with_pad(pixels, size, interpolation):
    """tf.image.resize_with_pad: scale to fit, then pad with zeros, centred."""
    height, width = pixels.shape[:2]
    target_height, target_width = size
    scale = min(target_width / width, target_height / height)
    new_height = max(int(height * scale), 1)
    new_width = max(int(width * scale), 1)
    resized = resize(pixels, (new_height, new_width), interpolation)
    out = np.zeros((target_height, target_width, pixels.shape[2]), "float32")
    top = (target_height - new_height) // 2
    left = (target_width - new_width) // 2
    out[top:top + new_height, left:left + new_width] = resized
    return out


def resize(pixels, size, interpolation="bilinear"):
    """`tf.image.resize` of one (height, width, channels) image: float32 ("nearest" keeps the
    dtype, as TF's)."""
    if interpolation == "bilinear":
        return _resize_bilinear(pixels.astype("float32"), size)
    if interpolation == "nearest":
        return _resize_nearest(pixels, size)  # TF keeps the image's dtype (uint8) here
    from PIL import Image
    filters = {"bicubic": Image.BICUBIC, "area": Image.BOX, "lanczos3": Image.LANCZOS,
               "lanczos5": Image.LANCZOS, "gaussian": Image.BILINEAR,
               "mitchellcubic": Image.BICUBIC}
    channels = [np.asarray(Image.fromarray(pixels[:, :, c].astype("float32"), mode="F")
                           .resize((size[1], size[0]), filters[interpolation]))
                for c in range(pixels.shape[2])]
    return np.stack(channels, axis=-1).astype("float32")


def _axis(in_size, out_size):
    """TF's half-pixel-centre source positions: lower and upper index and the weight."""
    scale = np.float32(in_size / out_size)
    src = (np.arange(out_size, dtype="float32") + np.float32(0.5)) * scale - np.float32(0.5)
    floor = np.floor(src)
    lower = np.maximum(floor, 0).astype("int64")
    upper = np.minimum(np.ceil(src), in_size - 1).astype("int64")
    return lower, upper, (src - floor).astype("float32")


def _resize_bilinear(pixels, size):
    top, bottom, y_lerp = _axis(pixels.shape[0], size[0])
    left, right, x_lerp = _axis(pixels.shape[1], size[1])
    x_lerp = x_lerp[None, :, None]
    # as TF's kernel: interpolate along x in both rows, then along y, in float32
    upper = pixels[top][:, left] + (pixels[top][:, right] - pixels[top][:, left]) * x_lerp
    lower = pixels[bottom][:, left] + (pixels[bottom][:, right] - pixels[bottom][:, left]) * \
        x_lerp
    return upper + (lower - upper) * y_lerp[:, None, None]


def _resize_nearest(pixels, size):
    def index(in_size, out_size):
        scale = np.float32(in_size / out_size)
        src = np.floor((np.arange(out_size, dtype="float32") + np.float32(0.5)) * scale)
        return np.minimum(src.astype("int64"), in_size - 1)
    return pixels[index(pixels.shape[0], size[0])][:, index(pixels.shape[1], size[1])]


# -- text ---------------------------------------------------------------------------------------
def text_dataset_from_directory(directory, labels="inferred", label_mode="int", class_names=None,
                                batch_size=32, max_length=None, shuffle=True, seed=None,
                                validation_split=None, subset=None, follow_links=False,
                                format="tf", verbose=True):
    """A dataset of (string batch, label batch) from a folder of .txt files per class.

    Example:
        >>> train = text_dataset_from_directory("aclImdb/train", batch_size=32)  # doctest: +SKIP
    """
    _check_labels(labels, label_mode, class_names, "text")
    if labels is None or label_mode is None:
        labels = label_mode = None
    if format != "tf":
        raise ValueError(f'`format` should be either "tf" or "grain". Received: format={format}')
    _check_validation_split(validation_split, subset, shuffle, seed)
    if seed is None:
        seed = np.random.randint(1e6)
    paths, labels, class_names = index_directory(directory, labels, (".txt",), class_names,
                                                 shuffle, seed, follow_links, verbose)
    if label_mode == "binary" and len(class_names) != 2:
        raise ValueError(f'When passing `label_mode="binary"`, there must be exactly 2 '
                         f"class_names. Received: class_names={class_names}")

    def load(batch_of_paths):
        names = np.asarray(batch_of_paths.numpy(), dtype=object)
        texts = np.empty(names.shape, dtype=object)
        for i, p in np.ndenumerate(names):
            with open(p.decode() if isinstance(p, bytes) else p, "rb") as stream:
                data = stream.read()
            texts[i] = data if max_length is None else data[:max_length]
        return tf.constant(texts)

    build = _Builder("text files", (".txt",), load, label_mode,
                     len(class_names) if class_names else 0, batch_size, shuffle, seed,
                     class_names)
    return _datasets(paths, labels, validation_split, subset, build, directory)
