"""PAdES signing of finished PDFs with pyHanko, with a visible stamp naming the signer.

``sign_pdf`` adds one approval signature (PAdES baseline B-B: ``ETSI.CAdES.detached``, signing
certificate attribute, no timestamp authority since laptops are offline) to a PDF held in
memory, with a visible stamp in the box the document layout keeps free on its first page:
"Digitally signed by NAME", the role and the date. The whole file is covered, so any later
change shows when it is verified.
"""

from __future__ import annotations

import io
import unicodedata

from .identity import SigningIdentity
from .styles import STAMP_BOX

__all__ = ["SIGNATURE_FIELD", "sign_pdf"]

SIGNATURE_FIELD = "caseaudit-signature"


def _plain(text: str) -> str:
    """The stamp uses a standard PDF font: keep to Latin-1, dropping accents if need be."""
    try:
        text.encode("latin-1")
        return text
    except UnicodeEncodeError:
        folded = unicodedata.normalize("NFKD", text)
        return folded.encode("latin-1", "ignore").decode("latin-1")


def sign_pdf(
    data: bytes,
    identity: SigningIdentity,
    *,
    reason: str,
    location: str = "",
    box: tuple[int, int, int, int] = STAMP_BOX,
    page: int = 0,
) -> bytes:
    """Return ``data`` with a visible PAdES signature by ``identity`` added."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign.fields import SigFieldSpec, SigSeedSubFilter
    from pyhanko.sign.signers import PdfSignatureMetadata, PdfSigner
    from pyhanko.stamp import TextStampStyle

    metadata = PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        subfilter=SigSeedSubFilter.PADES,
        reason=_plain(reason),
        location=_plain(location) or None,
        name=_plain(identity.signer_name),
    )
    style = TextStampStyle(
        stamp_text="Digitally signed by %(signer)s\n%(role)s\nDate: %(ts)s",
        timestamp_format="%d %B %Y %H:%M %Z",
        border_width=1,
    )
    signer = PdfSigner(
        metadata,
        identity.signer,
        stamp_style=style,
        new_field_spec=SigFieldSpec(SIGNATURE_FIELD, on_page=page, box=box),
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    output = io.BytesIO()
    signer.sign_pdf(
        writer,
        output=output,
        appearance_text_params={
            "signer": _plain(identity.signer_name),
            "role": _plain(identity.role_label or "caseaudit user"),
        },
    )
    return output.getvalue()
