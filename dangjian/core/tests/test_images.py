"""Uploaded photos: judged by content, capped in bytes and pixels, upright, without metadata."""

from io import BytesIO
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

from dangjian.core.errors import DomainError
from dangjian.core.images import clean_photo
from dangjian.core.testing import photo_bytes


def _upload(data: bytes, name="photo.jpg"):
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def _phone_exif(orientation: int) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Model] = "Camera 12"
    exif[ExifTags.Base.DateTime] = "2021:02:24 14:35:00"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (39.0, 6.0, 30.0)
    return exif


def test_the_phone_orientation_is_applied_then_all_metadata_is_dropped():
    # A phone held upright stores a landscape bitmap with "rotate 90° clockwise" (6).
    data = photo_bytes(size=(80, 40), exif=_phone_exif(6))
    assert Image.open(BytesIO(data)).getexif()[ExifTags.Base.Make] == "PhoneMaker"

    photo = clean_photo(_upload(data))

    image = Image.open(BytesIO(photo.data))
    assert image.format == "JPEG"
    assert (image.width, image.height) == (photo.width, photo.height) == (40, 80)
    assert len(image.getexif()) == 0
    assert "exif" not in image.info
    assert b"PhoneMaker" not in photo.data and b"Camera 12" not in photo.data


def test_a_large_photo_is_scaled_down_to_2560_pixels_on_its_longer_side():
    photo = clean_photo(_upload(photo_bytes(size=(4000, 3000))))
    assert (photo.width, photo.height) == (2560, 1920)


def test_a_transparent_png_becomes_a_jpeg_on_white():
    out = BytesIO()
    Image.new("RGBA", (10, 10), (0, 0, 0, 0)).save(out, "PNG")
    photo = clean_photo(_upload(out.getvalue(), "logo.png"))
    assert Image.open(BytesIO(photo.data)).convert("RGB").getpixel((5, 5)) > (240, 240, 240)


@pytest.mark.parametrize(
    "data",
    [
        b"<html><script>alert(1)</script></html>",
        b"GIF89a" + b"\x00" * 40,  # a format outside JPEG, PNG and WebP
        photo_bytes()[:200],  # a truncated JPEG
    ],
    ids=["html named .jpg", "gif", "truncated jpeg"],
)
def test_what_is_not_a_photo_is_refused_by_its_content(data):
    with pytest.raises(DomainError) as refused:
        clean_photo(_upload(data), field="image")
    assert refused.value.code == "photo_invalid"
    assert refused.value.field == "image"
    assert "不是有效的图片" in refused.value.message


def test_a_gif_is_refused_even_when_it_is_a_real_picture():
    out = BytesIO()
    Image.new("RGB", (10, 10)).save(out, "GIF")
    with pytest.raises(DomainError, match="JPG、PNG 或 WebP"):
        clean_photo(_upload(out.getvalue(), "a.gif"))


def test_an_empty_file_is_refused():
    with pytest.raises(DomainError, match="照片文件是空的"):
        clean_photo(_upload(b""))


def test_a_file_over_the_byte_cap_is_refused_before_it_is_read(settings):
    settings.PHOTO_MAX_BYTES = 1024 * 1024
    upload = SimpleNamespace(
        size=1024 * 1024 + 1, read=lambda *a: pytest.fail("read before the size was checked")
    )
    with pytest.raises(DomainError, match="照片不能超过 1 MB") as refused:
        clean_photo(upload)
    assert refused.value.code == "photo_too_large"


def test_a_decompression_bomb_is_refused_before_its_pixels_are_decoded(settings):
    # 30,000 × 30,000 pixels of one colour: a few hundred KB as PNG, 2.7 GB once decoded.
    settings.PHOTO_MAX_PIXELS = 40_000_000
    bomb = _png_header_only(30_000, 30_000)
    with pytest.raises(DomainError) as refused:
        clean_photo(_upload(bomb, "bomb.png"))
    assert refused.value.code == "photo_too_many_pixels"
    assert "像素过大" in refused.value.message


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims `width` × `height`: enough for Pillow to size it up, which is
    all the check needs (the pixel data would be the bomb)."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


def test_the_pixel_cap_is_a_setting(settings):
    settings.PHOTO_MAX_PIXELS = 1000
    with pytest.raises(DomainError, match="像素过大"):
        clean_photo(_upload(photo_bytes(size=(50, 50))))
    assert clean_photo(_upload(photo_bytes(size=(40, 25)))).width == 40
