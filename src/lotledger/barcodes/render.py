"""Labels as files: SVG, PNG (one label), PDF (one label, or a sheet of many), ZPL for Zebra printers."""

from __future__ import annotations

import io
import re
from xml.sax.saxutils import escape

from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from lotledger.barcodes.labels import Label, symbol
from lotledger.domain.errors import ValidationError

FORMATS = ("svg", "png", "pdf", "zpl")
MEDIA_TYPES = {"svg": "image/svg+xml", "png": "image/png", "pdf": "application/pdf", "zpl": "text/plain"}
LABEL_W, LABEL_H = 100 * mm, 70 * mm  # one label; a sheet is A4 with two columns of four
_LINE = 24  # px per text line in SVG and PNG


def render(labels: list[Label], fmt: str) -> bytes:
    """The labels in `fmt`; SVG and PNG hold exactly one label."""
    if fmt not in FORMATS:
        raise ValidationError(f"{fmt!r} is not one of {', '.join(FORMATS)}", "format")
    if not labels:
        raise ValidationError("no labels to print", "labels")
    if fmt == "pdf":
        return _pdf(labels)
    if fmt == "zpl":
        return "".join(_zpl(label) for label in labels).encode()
    if len(labels) != 1:
        raise ValidationError(f"{fmt} holds one label; use pdf or zpl for {len(labels)}", "format")
    return _png(labels[0]) if fmt == "png" else _svg(labels[0])


def _text(label: Label) -> list[str]:
    return [label.title, *label.lines]


def _png(label: Label) -> bytes:
    code = Image.open(io.BytesIO(symbol(label, "png"))).convert("RGB")
    font = ImageFont.load_default(size=18)
    lines = _text(label)
    width = max(code.width, *(int(font.getlength(line)) for line in lines)) + 40
    page = Image.new("RGB", (width, code.height + _LINE * len(lines) + 50), "white")
    draw = ImageDraw.Draw(page)
    draw.text((20, 10), lines[0], fill="black", font=font)
    page.paste(code, (20, 10 + _LINE + 6))
    for i, line in enumerate(lines[1:]):
        draw.text((20, code.height + 30 + _LINE * (i + 1)), line, fill="black", font=font)
    out = io.BytesIO()
    page.save(out, "PNG")
    return out.getvalue()


def _svg(label: Label) -> bytes:
    inner = symbol(label, "svg").decode()
    inner = inner[inner.index("<svg") :]
    size = re.search(r'width="([\d.]+)" height="([\d.]+)"', inner)
    w, h = (float(size.group(1)), float(size.group(2))) if size else (400.0, 200.0)
    lines = _text(label)
    width, top = max(w + 40, 620), 10 + _LINE + 6
    height = top + h + _LINE * len(lines) + 20
    inner = inner.replace("<svg ", f'<svg x="20" y="{top}" ', 1)
    texts = [f'<text x="20" y="{10 + 18}" font-family="monospace" font-size="18">{escape(lines[0])}</text>']
    texts += [
        f'<text x="20" y="{top + h + _LINE * (i + 1)}" font-family="monospace" font-size="18">{escape(line)}</text>'
        for i, line in enumerate(lines[1:])
    ]
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="{width:g}" '
        f'height="{height:g}" viewBox="0 0 {width:g} {height:g}">\n<rect width="100%" height="100%" fill="#fff"/>\n'
        + "\n".join(texts)
        + "\n"
        + inner
        + "\n</svg>\n"
    ).encode()


def _pdf(labels: list[Label]) -> bytes:
    out = io.BytesIO()
    single = len(labels) == 1
    canvas = Canvas(out, pagesize=(LABEL_W, LABEL_H) if single else A4)
    canvas.setTitle(labels[0].title if single else f"{len(labels)} labels")
    slots = (
        [(0.0, 0.0)]
        if single
        else [(5 * mm + c * LABEL_W, A4[1] - 8 * mm - (r + 1) * LABEL_H) for r in range(4) for c in range(2)]
    )
    for index, label in enumerate(labels):
        if index and index % len(slots) == 0:
            canvas.showPage()
        x, y = slots[index % len(slots)]
        _pdf_label(canvas, label, x, y)
    canvas.save()
    return out.getvalue()


def _pdf_label(canvas: Canvas, label: Label, x: float, y: float) -> None:
    image = ImageReader(io.BytesIO(symbol(label, "png", scale=4)))
    iw, ih = image.getSize()
    lines = _text(label)
    room_h = LABEL_H - 12 * mm - 4 * mm * len(lines)
    scale = min((LABEL_W - 10 * mm) / iw, room_h / ih)
    canvas.setFont("Helvetica-Bold", 9)
    canvas.drawString(x + 5 * mm, y + LABEL_H - 7 * mm, lines[0])
    canvas.drawImage(image, x + 5 * mm, y + LABEL_H - 9 * mm - ih * scale, iw * scale, ih * scale)
    canvas.setFont("Helvetica", 8)
    for i, line in enumerate(lines[1:]):
        canvas.drawString(x + 5 * mm, y + LABEL_H - 13 * mm - ih * scale - 4 * mm * i, line)


_BRACKETED = re.compile(r"\[(\d{2,4})\]([^\[]*)")
_VARIABLE_AIS = {"10", "21", "30", "37"}


def _zpl_field(text: str) -> str:
    return text.replace("^", " ").replace("~", " ")


def _zpl(label: Label) -> str:
    """One ^XA...^XZ label: the title, the symbol, the text lines."""
    parts = ["^XA", "^CI28", f"^FO30,20^A0N,28,28^FD{_zpl_field(label.title)}^FS"]
    pairs = _BRACKETED.findall(label.data) if label.gs1 else []
    if label.symbology == "gs1-128":
        # Mode D: the printer adds FNC1, strips the parentheses, prints them in the text line.
        data = "".join(f"({ai}){value}" for ai, value in pairs)
        parts.append(f"^FO30,60^BY2^BCN,120,Y,N,N,D^FD{data}^FS")
    elif label.symbology == "datamatrix" and label.gs1:
        # Escape character # (outside the GS1 AI 82 set): #1 is FNC1, first and after variable-length fields.
        body = "".join(
            ai + value + ("#1" if ai in _VARIABLE_AIS and i < len(pairs) - 1 else "")
            for i, (ai, value) in enumerate(pairs)
        )
        parts.append(f"^FO30,60^BXN,6,200,,,,#^FD#1{body}^FS")
    elif label.symbology == "datamatrix":
        parts.append(f"^FO30,60^BXN,6,200^FD{_zpl_field(label.data)}^FS")
    elif label.symbology == "qr":
        parts.append(f"^FO30,60^BQN,2,6^FDQA,{_zpl_field(label.data)}^FS")
    else:
        parts.append(f"^FO30,60^BY2^BCN,120,Y,N,N^FD{_zpl_field(label.data)}^FS")
    y = 260
    for line in label.lines:
        parts.append(f"^FO30,{y}^A0N,26,26^FD{_zpl_field(line)}^FS")
        y += 34
    parts.append("^XZ\n")
    return "\n".join(parts)
