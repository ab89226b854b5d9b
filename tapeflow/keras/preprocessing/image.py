"""keras.preprocessing.image: load_img, img_to_array, array_to_img, save_img, smart_resize."""

from tapeflow.keras.utils.image_utils import array_to_img, img_to_array, load_img, save_img

__all__ = ["array_to_img", "img_to_array", "load_img", "save_img"]
