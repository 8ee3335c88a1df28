#![allow(clippy::unwrap_used)]

use super::*;
use image::{ImageEncoder, Rgb, RgbImage};

/// A `w`×`h` JPEG, left half red and right half blue.
fn jpeg(w: u32, h: u32) -> Vec<u8> {
    let img = RgbImage::from_fn(w, h, |x, _| if x < w / 2 { Rgb([220, 20, 20]) } else { Rgb([20, 20, 220]) });
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 90).encode_image(&img).unwrap();
    out
}

/// `jpeg` with an APP1 Exif segment right after SOI: a little-endian TIFF header, IFD0 with one
/// entry (Orientation = `orientation`), then bytes standing for a GPS position.
fn with_exif(jpeg: &[u8], orientation: u16) -> Vec<u8> {
    let mut tiff = b"II*\0".to_vec();
    tiff.extend_from_slice(&8u32.to_le_bytes());
    tiff.extend_from_slice(&1u16.to_le_bytes());
    tiff.extend_from_slice(&0x0112u16.to_le_bytes());
    tiff.extend_from_slice(&3u16.to_le_bytes());
    tiff.extend_from_slice(&1u32.to_le_bytes());
    tiff.extend_from_slice(&orientation.to_le_bytes());
    tiff.extend_from_slice(&[0, 0]);
    tiff.extend_from_slice(&0u32.to_le_bytes());
    tiff.extend_from_slice(b"GPS 35.550123N 116.800456E");
    let mut payload = b"Exif\0\0".to_vec();
    payload.extend_from_slice(&tiff);
    let len = u16::try_from(payload.len() + 2).unwrap();
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&payload);
    out.extend_from_slice(&jpeg[2..]);
    out
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// The JPEG markers of a file, up to the start of scan.
fn markers(jpeg: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut i = 2;
    while i + 4 <= jpeg.len() && jpeg[i] == 0xFF {
        let m = jpeg[i + 1];
        out.push(m);
        if m == 0xDA {
            break;
        }
        let len = usize::from(u16::from_be_bytes([jpeg[i + 2], jpeg[i + 3]]));
        i += 2 + len;
    }
    out
}

#[test]
fn exif_and_its_gps_position_are_gone_and_the_orientation_is_applied() {
    let src = with_exif(&jpeg(40, 20), 6);
    assert!(contains(&src, b"Exif") && contains(&src, b"35.550123"), "the input carries them");
    let photo = reencode(&src).unwrap();
    assert_eq!(photo.media_type, "image/jpeg");
    assert!(!contains(&photo.bytes, b"Exif"), "no Exif");
    assert!(!contains(&photo.bytes, b"35.550123"), "no GPS bytes");
    assert!(!markers(&photo.bytes).contains(&0xE1), "no APP1 segment: {:x?}", markers(&photo.bytes));
    // Orientation 6 is "rotate 90° clockwise to display": 40×20 is shown 20×40, red on top.
    assert_eq!((photo.width, photo.height), (20, 40));
    let shown = image::load_from_memory(&photo.bytes).unwrap().to_rgb8();
    assert_eq!(shown.dimensions(), (20, 40));
    let top = shown.get_pixel(10, 5);
    let bottom = shown.get_pixel(10, 34);
    assert!(top[0] > 150 && top[2] < 100, "red on top: {top:?}");
    assert!(bottom[2] > 150 && bottom[0] < 100, "blue below: {bottom:?}");
}

#[test]
fn large_photos_are_scaled_and_png_and_webp_read() {
    let photo = reencode(&jpeg(3200, 1000)).unwrap();
    assert_eq!((photo.width, photo.height), (MAX_EDGE_PX, 500));
    let img = RgbImage::from_pixel(30, 10, Rgb([1, 2, 3]));
    let mut png = Vec::new();
    image::codecs::png::PngEncoder::new(&mut png)
        .write_image(img.as_raw(), 30, 10, image::ExtendedColorType::Rgb8)
        .unwrap();
    assert_eq!((reencode(&png).unwrap().width, reencode(&png).unwrap().height), (30, 10));
    let mut webp = Vec::new();
    image::codecs::webp::WebPEncoder::new_lossless(&mut webp)
        .write_image(img.as_raw(), 30, 10, image::ExtendedColorType::Rgb8)
        .unwrap();
    assert_eq!(reencode(&webp).unwrap().width, 30);
}

#[test]
fn what_is_not_a_photo_is_refused_clearly() {
    assert_eq!(reencode(b"GIF89a\x01\x00\x01\x00"), Err(PhotoError::NotAnImage));
    assert_eq!(reencode(b"hello"), Err(PhotoError::NotAnImage));
    assert_eq!(reencode(&vec![0u8; MAX_PHOTO_BYTES + 1]), Err(PhotoError::TooLarge));
    let good = jpeg(64, 64);
    assert!(matches!(reencode(&good[..good.len() / 3]), Err(PhotoError::Unreadable(_))));
    // A header claiming 60000 × 60000 pixels is refused before any pixel is decoded.
    let mut huge = good.clone();
    let sof = huge.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
    huge[sof + 5..sof + 9].copy_from_slice(&[0xEA, 0x60, 0xEA, 0x60]);
    assert!(matches!(reencode(&huge), Err(PhotoError::Unreadable(_))));
}
