"""load_img, img_to_array, array_to_img, save_img: Keras's Pillow helpers (Pillow on first use)."""

from __future__ import annotations

import io
import pathlib
import warnings

import numpy as np


def _pil():
    try:
        from PIL import Image
    except ImportError:
        raise ImportError("Could not import PIL.Image. Image loading and saving need Pillow: "
                          "pip install pillow") from None
    return Image


def _data_format(data_format):
    if data_format is None:
        from tapeflow.keras import backend
        return backend.image_data_format()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError('The `data_format` argument must be one of {"channels_first", '
                         f'"channels_last"}}. Received: data_format={data_format}')
    return data_format


def load_img(path, color_mode="rgb", target_size=None, interpolation="nearest",
             keep_aspect_ratio=False):
    """Loads an image file as a PIL Image (optionally converted and resized), as Keras does.

    Example:
        >>> img = load_img("cat.jpg", target_size=(180, 180))  # doctest: +SKIP
    """
    image_module = _pil()
    methods = {"nearest": image_module.NEAREST, "bilinear": image_module.BILINEAR,
               "bicubic": image_module.BICUBIC, "hamming": image_module.HAMMING,
               "box": image_module.BOX, "lanczos": image_module.LANCZOS}
    if isinstance(path, io.BytesIO):
        img = image_module.open(path)
    elif isinstance(path, (pathlib.Path, bytes, str)):
        if isinstance(path, pathlib.Path):
            path = str(path.resolve())
        with open(path, "rb") as f:
            img = image_module.open(io.BytesIO(f.read()))
    else:
        raise TypeError(f"path should be path-like or io.BytesIO, not {type(path)}")
    if color_mode == "grayscale":
        if img.mode not in ("L", "I;16", "I"):
            img = img.convert("L")
    elif color_mode == "rgba":
        if img.mode != "RGBA":
            img = img.convert("RGBA")
    elif color_mode == "rgb":
        if img.mode != "RGB":
            img = img.convert("RGB")
    else:
        raise ValueError('color_mode must be "grayscale", "rgb", or "rgba"')
    if target_size is None:
        return img
    size = (target_size[1], target_size[0])
    if img.size == size:
        return img
    if interpolation not in methods:
        raise ValueError(f"Invalid interpolation method {interpolation} specified. Supported "
                         f"methods are {', '.join(methods)}")
    if not keep_aspect_ratio:
        return img.resize(size, methods[interpolation])
    width, height = img.size
    crop_height = min(height, (width * size[1]) // size[0])
    crop_width = min(width, (height * size[0]) // size[1])
    top, left = (height - crop_height) // 2, (width - crop_width) // 2
    return img.resize(size, methods[interpolation],
                      box=[left, top, left + crop_width, top + crop_height])


def img_to_array(img, data_format=None, dtype=None):
    """A PIL Image as a float32 array (height, width, channels) (or channels first)."""
    data_format = _data_format(data_format)
    x = np.asarray(img, dtype=dtype or "float32")
    if x.ndim == 3:
        return x.transpose(2, 0, 1) if data_format == "channels_first" else x
    if x.ndim == 2:
        return x[None] if data_format == "channels_first" else x[:, :, None]
    raise ValueError(f"Unsupported image shape: {x.shape}")


def array_to_img(x, data_format=None, scale=True, dtype=None):
    """A rank-3 array as a PIL Image; `scale` stretches the values to 0..255 first."""
    image_module = _pil()
    data_format = _data_format(data_format)
    x = np.array(x, dtype=dtype or "float32")
    if x.ndim != 3:
        raise ValueError(f"Expected image array to have rank 3 (single image). Got array with "
                         f"shape: {x.shape}")
    if data_format == "channels_first":
        x = x.transpose(1, 2, 0)
    if scale:
        x = x - np.min(x)
        x_max = np.max(x)
        if x_max != 0:
            x /= x_max
        x *= 255
    if x.shape[2] == 4:
        return image_module.fromarray(x.astype("uint8"), "RGBA")
    if x.shape[2] == 3:
        return image_module.fromarray(x.astype("uint8"), "RGB")
    if x.shape[2] == 1:
        if np.max(x) > 255:
            return image_module.fromarray(x[:, :, 0].astype("int32"), "I")
        return image_module.fromarray(x[:, :, 0].astype("uint8"), "L")
    raise ValueError(f"Unsupported channel number: {x.shape[2]}")


def save_img(path, x, data_format=None, file_format=None, scale=True, **kwargs):
    """Saves an array as an image file (format from the file's extension by default)."""
    if file_format is None and isinstance(path, (str, pathlib.Path)):
        file_format = pathlib.Path(path).suffix[1:].lower()
    if file_format and file_format.lower() == "jpg":
        file_format = "jpeg"
    img = array_to_img(x, data_format=data_format, scale=scale)
    if img.mode == "RGBA" and file_format == "jpeg":
        warnings.warn("The JPEG format does not support RGBA images, converting to RGB.",
                      stacklevel=2)
        img = img.convert("RGB")
    img.save(path, format=file_format, **kwargs)
