"""Helpers shared by the assemblies' views."""

import qrcode
import qrcode.image.svg


def qr_svg(data: str) -> str:
    """An inline SVG QR code, drawn on the server (no script, no external service)."""
    image = qrcode.make(
        data,
        image_factory=qrcode.image.svg.SvgPathImage,
        box_size=8,
        border=2,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
    )
    return image.to_string(encoding="unicode")
