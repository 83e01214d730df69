"""A one-page PDF for the demo agreement's uploaded document: a fact sheet written
by Accords from the agreement's own record (not a copy of anyone's text), so that
`make run` shows a downloadable file without shipping one."""

import textwrap


def _escaped(line: str) -> bytes:
    text = line.encode("cp1252", errors="replace")  # the standard fonts' WinAnsi encoding
    return text.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def fact_sheet_pdf(title: str, paragraphs: list[str]) -> bytes:
    lines = [(16, line) for line in textwrap.wrap(title, 60)] + [(11, "")]
    for paragraph in paragraphs:
        lines += [(11, line) for line in textwrap.wrap(paragraph, 88)] + [(11, "")]
    stream = b"BT /F1 11 Tf 56 790 Td 14 TL\n"
    for size, line in lines:
        stream += b"/F1 %d Tf (%s) Tj T*\n" % (size, _escaped(line))
    stream += b"ET\n"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n%sendstream" % (len(stream), stream),
    ]
    pdf, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return pdf
