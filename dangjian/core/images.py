"""Photos people upload (activity photos, later evidence of deeds and requests).

A photo is judged by its content, not its name or declared type: Pillow must recognise it as
JPEG, PNG or WebP. It is size-capped before it is read and pixel-capped before it is decoded,
so a small file that unpacks into a huge bitmap (a decompression bomb) is refused cheaply. The
phone's EXIF orientation is applied, then the picture is re-encoded as JPEG without any
metadata: GPS position, camera serial and time stamps never reach the server's disk."""

import hashlib
import warnings
from dataclasses import dataclass
from io import BytesIO

from django.conf import settings
from PIL import Image, ImageOps, UnidentifiedImageError

from dangjian.core.errors import DomainError

FORMATS = ("JPEG", "PNG", "WEBP")
MAX_SIDE = 2560  # longer side after resizing: sharp on a screen, small on disk
JPEG_QUALITY = 85


@dataclass(frozen=True)
class Photo:
    data: bytes  # JPEG, upright, no metadata
    width: int
    height: int
    sha256: str  # of the uploaded bytes


def clean_photo(upload, *, field: str = "photo") -> Photo:
    """The upload as a `Photo`, or DomainError naming `field` with the reason in Chinese."""
    limit = settings.PHOTO_MAX_BYTES
    if upload.size > limit:
        raise DomainError(
            f"照片不能超过 {limit // (1024 * 1024)} MB", "photo_too_large", field=field
        )
    data = upload.read()
    if not data:
        raise DomainError("照片文件是空的", "photo_empty", field=field)
    image = _decode(data, field=field)
    image = _flatten(ImageOps.exif_transpose(image))
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    out = BytesIO()
    image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)  # no exif=: metadata dropped
    return Photo(out.getvalue(), image.width, image.height, hashlib.sha256(data).hexdigest())


def _decode(data: bytes, field: str) -> Image.Image:
    invalid = DomainError(
        "文件不是有效的图片，请上传 JPG、PNG 或 WebP 照片", "photo_invalid", field=field
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(BytesIO(data), formats=FORMATS)
            if image.width * image.height > settings.PHOTO_MAX_PIXELS:
                raise DomainError(
                    "照片像素过大，请压缩后再上传", "photo_too_many_pixels", field=field
                )
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise DomainError(
            "照片像素过大，请压缩后再上传", "photo_too_many_pixels", field=field
        ) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise invalid from exc
    return image


def _flatten(image: Image.Image) -> Image.Image:
    """RGB for JPEG; transparent parts become white, not black."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")
