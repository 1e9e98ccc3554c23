"""check_media: the type comes from the content, sizes and pixels are capped, and every refusal is a precise catalog
message with a code, never a Pillow/mutagen exception or warning."""
from __future__ import annotations

import warnings

import pytest

from domain.media_check import (
    IMAGE_MAX_BYTES, MAX_IMAGE_PIXELS, MAX_IMAGE_SIDE, MediaRefused, check_media, what_it_is,
)
from domain.problems import english
from tests.media_files import PDF, WEBM_HEAD, image, mp4, png_declaring, wav


def refused(data: bytes, kind: str, name: str = "") -> MediaRefused:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a library warning that leaked would fail here
        with pytest.raises(MediaRefused) as caught:
            check_media(data, kind, name=name)
    return caught.value


@pytest.mark.parametrize("fmt, mime", [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("GIF", "image/gif"),
                                       ("WEBP", "image/webp")])
def test_images_of_each_allowed_format(fmt, mime):
    facts = check_media(image(64, 48, fmt), "image", name="chart.bin")  # the name says nothing; content decides
    assert (facts.mime, facts.format, facts.width, facts.height) == (mime, fmt, 64, 48)


def test_an_image_of_another_format_is_named():
    error = refused(image(fmt="BMP"), "image")
    assert error.code == "image_format" and str(error) == "an image in BMP; images must be PNG, JPEG, GIF or WEBP"


def test_a_pdf_declared_as_image_says_what_it_is():
    error = refused(PDF, "image", name="photo.png")
    assert error.code == "not_image" and str(error) == "not an image (it is PDF)"


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_truncated_images_are_damaged(fmt):
    data = image(300, 200, fmt, colour=(10, 200, 90))
    error = refused(data[: len(data) // 2], "image")
    assert error.code == "image_damaged" and str(error) == f"a damaged or truncated image ({fmt})"


@pytest.mark.parametrize("width, height", [(100_000, 100_000), (12_000, 10_000), (8_000, 8_000)])
def test_a_png_declaring_huge_dimensions_is_a_bomb_refused_cleanly(width, height):
    # above Pillow's error threshold, between its warning and error, and above ours alone: one clean refusal
    assert width * height > MAX_IMAGE_PIXELS
    error = refused(png_declaring(width, height), "image")
    assert error.code == "image_bomb"
    assert str(error) == "an image of more than 40 million pixels, too large to open safely"


def test_sides_and_ratio_are_capped():
    error = refused(png_declaring(MAX_IMAGE_SIDE + 1, 600), "image")
    assert error.code == "image_side" and "10001×600 px" in str(error)
    error = refused(image(420, 20), "image")
    assert error.code == "image_ratio" and str(error) == "an image of 420×20 px; its long side may be at most 20:1 to its short side"
    assert check_media(image(400, 20), "image").width == 400  # exactly 20:1 is fine


def test_oversized_and_empty_files():
    error = refused(b"\x89PNG\r\n\x1a\n" + b"\0" * IMAGE_MAX_BYTES, "image")
    assert error.code == "too_big" and str(error) == "10.1 MB, more than the 10.0 MB this kind of medium may have"
    assert refused(b"", "audio").code == "empty"


def test_wav_audio_has_a_length():
    facts = check_media(wav(1.5), "audio")
    assert (facts.mime, facts.format, facts.duration) == ("audio/wav", "WAV", 1.5)
    assert check_media(wav(0.5), "voice").duration == 0.5


@pytest.mark.parametrize("data, what", [(PDF, "PDF"), (image(), "PNG"), (b"just some words\n", "text"),
                                        (b"\x00\x07\x13" * 40, "content of no known type")])
def test_audio_that_is_not_audio(data, what):
    error = refused(data, "audio")
    assert error.code == "not_audio" and str(error) == f"not audio (it is {what})"


def test_truncated_and_silent_audio_are_refused():
    assert refused(wav()[:30], "audio").code == "audio_damaged"
    assert refused(wav(0), "audio").code == "audio_damaged"  # a WAV with no frames has no length


def test_video_by_magic():
    facts = check_media(mp4(2.5), "video")
    assert (facts.mime, facts.duration) == ("video/mp4", 2.5)
    assert check_media(WEBM_HEAD + b"\0" * 64, "video").mime == "video/webm"
    assert str(refused(image(), "video")) == "not MP4 or WEBM video (it is PNG)"
    assert refused(mp4()[:40], "video").code == "video_damaged"
    assert refused(mp4(), "audio").code == "not_audio"  # a video is not audio


def test_documents():
    assert check_media(PDF, "document").mime == "application/pdf"
    assert check_media(b"a,b\n1,2\n", "document", name="table.csv").mime == "text/csv"
    assert check_media(b'{"k": [1, 2]}', "document", name="x.txt").mime == "application/json"
    assert check_media("Größe: ünïcode\n".encode(), "document").mime == "text/plain"
    assert refused(PDF[:20], "document").code == "document_damaged"
    assert str(refused(image(), "document")) == "not a document Panelist takes: PDF or UTF-8 text (it is PNG)"
    assert refused("latin-1 café".encode("latin-1"), "document").code == "not_document"


def test_what_it_is_names_archives_by_content():
    import gzip

    assert what_it_is(gzip.compress(b"x")) == "GZIP"
    assert what_it_is(b"PK\x03\x04rest") == "ZIP"
    assert what_it_is(b"\0" * 257 + b"ustar\x0000") == "TAR"


def test_refusals_read_in_spanish():
    from bot.i18n import default_catalogs

    error = refused(PDF, "audio")
    assert default_catalogs().render(error.message, "es") == "no es audio (es PDF)"
    assert english(error.message) == "not audio (it is PDF)"
