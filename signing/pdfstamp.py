"""Turning a rendered ``StampLayout`` into a pyHanko stamp (the widget's appearance stream)."""

from __future__ import annotations

from dataclasses import dataclass

from pyhanko.pdf_utils import generic, layout
from pyhanko.pdf_utils.content import ResourceType
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.stamp.base import BaseStamp, BaseStampStyle

from .appearance import EncodedImage, PlacedImage

__all__ = ["ImageLayersStampStyle", "add_image_xobject"]


def add_image_xobject(writer: BasePdfFileWriter, image: EncodedImage) -> generic.IndirectObject:
    """Write an image XObject (and its soft mask) from pre-compressed data."""
    common = {
        pdf_name("/Type"): pdf_name("/XObject"),
        pdf_name("/Subtype"): pdf_name("/Image"),
        pdf_name("/Width"): generic.NumberObject(image.width),
        pdf_name("/Height"): generic.NumberObject(image.height),
        pdf_name("/BitsPerComponent"): generic.NumberObject(8),
        pdf_name("/Filter"): pdf_name("/FlateDecode"),
    }
    rgb = generic.DictionaryObject(dict(common))
    rgb[pdf_name("/ColorSpace")] = pdf_name("/DeviceRGB")
    if image.alpha is not None:
        mask = generic.DictionaryObject(dict(common))
        mask[pdf_name("/ColorSpace")] = pdf_name("/DeviceGray")
        mask_ref = writer.add_object(generic.StreamObject(mask, encoded_data=image.alpha))
        rgb[pdf_name("/SMask")] = mask_ref
    return writer.add_object(generic.StreamObject(rgb, encoded_data=image.rgb))


def layers_content(
    writer: BasePdfFileWriter,
    layers: tuple[PlacedImage, ...],
    set_resource,
    *,
    scale: float = 1.0,
    dx: float = 0.0,
    dy: float = 0.0,
) -> list[bytes]:
    """Content stream operators painting ``layers``; registers each image via ``set_resource``."""
    ops: list[bytes] = []
    for i, layer in enumerate(layers):
        name = f"/EdocIm{i}"
        set_resource(ResourceType.XOBJECT, pdf_name(name), add_image_xobject(writer, layer.image))
        ops.append(
            b"q %.3f 0 0 %.3f %.3f %.3f cm %s Do Q"
            % (
                layer.w * scale,
                layer.h * scale,
                dx + layer.x * scale,
                dy + layer.y * scale,
                name.encode(),
            )
        )
    return ops


@dataclass(frozen=True)
class ImageLayersStampStyle(BaseStampStyle):
    """A stamp made of image layers laid out in a ``width`` x ``height`` point canvas."""

    layers: tuple[PlacedImage, ...] = ()
    width: float = 1.0
    height: float = 1.0
    border_width: int = 0

    def create_stamp(
        self, writer: BasePdfFileWriter, box: layout.BoxConstraints, text_params: dict
    ) -> _ImageLayersStamp:
        return _ImageLayersStamp(writer, self, box)


class _ImageLayersStamp(BaseStamp):
    def __init__(
        self, writer: BasePdfFileWriter, style: ImageLayersStampStyle, box: layout.BoxConstraints
    ) -> None:
        super().__init__(writer=writer, style=style, box=box)

    def _render_inner_content(self) -> list[bytes]:
        style: ImageLayersStampStyle = self.style
        box = self.box
        # Fit the canvas into the widget keeping proportions, centred.
        scale = min(box.width / style.width, box.height / style.height)
        dx = (box.width - style.width * scale) / 2
        dy = (box.height - style.height * scale) / 2
        return layers_content(
            self.writer, style.layers, self.set_resource, scale=scale, dx=dx, dy=dy
        )
