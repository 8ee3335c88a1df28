//! Photos riders attach to reports: decoded and re-encoded here, so that what is stored and
//! served is pixels only — no EXIF (a phone's GPS position, its owner's name), no XMP, no ICC, no
//! trailing bytes. The orientation a phone records in EXIF is applied to the pixels first.

use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use std::io::Cursor;
use yizhan_store::reports::Photo;

/// Largest photo file accepted, bytes (5 MiB).
pub const MAX_PHOTO_BYTES: usize = 5 * 1024 * 1024;

/// Longest edge of a stored photo, pixels: larger photos are scaled down.
pub const MAX_EDGE_PX: u32 = 1600;

/// Largest width or height decoded, pixels (a 5 MB file claiming more is refused unread).
const MAX_DECODED_PX: u32 = 12_000;

/// Most memory one decode may allocate, bytes.
const MAX_DECODE_ALLOC: u64 = 256 * 1024 * 1024;

/// JPEG quality of stored photos.
const JPEG_QUALITY: u8 = 82;

/// Why a photo was not accepted.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PhotoError {
    /// Over [`MAX_PHOTO_BYTES`].
    #[error("the photo is larger than {} MB", MAX_PHOTO_BYTES / (1024 * 1024))]
    TooLarge,
    /// Not a JPEG, PNG or WebP file.
    #[error("the photo is not a JPEG, PNG or WebP image")]
    NotAnImage,
    /// A JPEG, PNG or WebP that does not decode, or claims absurd dimensions.
    #[error("the photo cannot be read: {0}")]
    Unreadable(String),
    /// Encoding the stored copy failed.
    #[error("the photo cannot be stored: {0}")]
    Encode(String),
}

/// Decodes `bytes` (JPEG, PNG or WebP, at most [`MAX_PHOTO_BYTES`]), applies its orientation,
/// scales it to at most [`MAX_EDGE_PX`] on its longest edge and encodes it anew as a baseline JPEG
/// with nothing but pixels. CPU-heavy: run it on the heavy-work pool.
///
/// # Errors
/// [`PhotoError`].
pub fn reencode(bytes: &[u8]) -> Result<Photo, PhotoError> {
    if bytes.len() > MAX_PHOTO_BYTES {
        return Err(PhotoError::TooLarge);
    }
    let mut reader = ImageReader::new(Cursor::new(bytes)).with_guessed_format().map_err(|_| PhotoError::NotAnImage)?;
    if !matches!(reader.format(), Some(ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP)) {
        return Err(PhotoError::NotAnImage);
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_DECODED_PX);
    limits.max_image_height = Some(MAX_DECODED_PX);
    limits.max_alloc = Some(MAX_DECODE_ALLOC);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|e| PhotoError::Unreadable(e.to_string()))?;
    let orientation = decoder.orientation().map_err(|e| PhotoError::Unreadable(e.to_string()))?;
    let mut img = DynamicImage::from_decoder(decoder).map_err(|e| PhotoError::Unreadable(e.to_string()))?;
    img.apply_orientation(orientation);
    if img.width().max(img.height()) > MAX_EDGE_PX {
        img = img.resize(MAX_EDGE_PX, MAX_EDGE_PX, image::imageops::FilterType::Triangle);
    }
    let rgb = img.to_rgb8();
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)
        .encode_image(&rgb)
        .map_err(|e| PhotoError::Encode(e.to_string()))?;
    Ok(Photo { bytes: out, media_type: "image/jpeg".to_owned(), width: rgb.width(), height: rgb.height() })
}

#[cfg(test)]
#[path = "photo_tests.rs"]
mod tests;
