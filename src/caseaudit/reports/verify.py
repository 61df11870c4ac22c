"""Checking a signed PDF: intact, cryptographically valid, covering the whole file, trusted.

``verify_pdf_bytes`` never raises: a damaged file, a corrupted signature or anything pyHanko
cannot make sense of is reported as an invalid document with a reason in plain words. Besides
pyHanko's own validation (digest over the signed byte ranges, the CMS signature, diff analysis)
it checks that the last signature covers every byte of the file and that the hex padding after
the signature inside ``/Contents`` is untouched, so changing any single byte of a signed report
makes it fail. Trust is separate from integrity: it needs a root certificate given with
``--trust``; no network is ever used.
"""

from __future__ import annotations

import io
import logging
import re
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

__all__ = ["SignatureReport", "VerificationResult", "load_trust_roots", "verify_pdf_bytes"]

_HEX = re.compile(rb"^<([0-9A-Fa-f]*)>$")
_SIGNED_DATA_VERSIONS = {"v1", "v3", "v4", "v5"}
_SIGNER_INFO_VERSIONS = {"v1", "v3"}


@dataclass(frozen=True)
class SignatureReport:
    field_name: str
    signer: str
    signing_time: datetime | None
    intact: bool
    valid: bool
    trusted: bool
    whole_document: bool
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.intact and self.valid and self.whole_document and not self.problems


@dataclass(frozen=True)
class VerificationResult:
    """The outcome for one file; ``intact`` is True only if every signature checks out."""

    path: str
    signatures: tuple[SignatureReport, ...] = ()
    problems: tuple[str, ...] = field(default_factory=tuple)

    @property
    def signed(self) -> bool:
        return bool(self.signatures)

    @property
    def intact(self) -> bool:
        return self.signed and not self.problems and all(s.ok for s in self.signatures)

    @property
    def valid(self) -> bool:
        return self.signed and all(s.valid for s in self.signatures)

    @property
    def trusted(self) -> bool:
        return self.intact and all(s.trusted for s in self.signatures)

    @property
    def signer(self) -> str:
        return ", ".join(s.signer for s in self.signatures)

    @property
    def signing_time(self) -> datetime | None:
        times = [s.signing_time for s in self.signatures if s.signing_time]
        return max(times) if times else None

    @property
    def all_problems(self) -> list[str]:
        found = list(self.problems)
        for s in self.signatures:
            found.extend(s.problems)
        return found


@contextmanager
def _quiet() -> Iterator[None]:
    """pyHanko logs tracebacks for expected failures; keep them off the user's screen."""
    logger = logging.getLogger("pyhanko")
    certvalidator = logging.getLogger("pyhanko_certvalidator")
    saved = (logger.level, certvalidator.level)
    logger.setLevel(logging.CRITICAL + 1)
    certvalidator.setLevel(logging.CRITICAL + 1)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(saved[0])
        certvalidator.setLevel(saved[1])


def load_trust_roots(paths: Iterable[str | Path]) -> list[Any]:
    """Certificates (PEM or DER) to treat as trusted roots; ``ValueError`` if unreadable."""
    from pyhanko.keys import load_certs_from_pemder

    return list(load_certs_from_pemder([str(p) for p in paths]))


def _der_length(blob: bytes) -> int | None:
    """Length of the DER object at the start of ``blob`` (header included), if well formed."""
    if len(blob) < 2 or blob[0] != 0x30:
        return None
    first = blob[1]
    if first < 0x80:
        return 2 + first
    count = first & 0x7F
    if count == 0 or count > 4 or len(blob) < 2 + count:
        return None
    return 2 + count + int.from_bytes(blob[2 : 2 + count], "big")


def _byte_range_problems(data: bytes, byte_range: Any) -> list[str]:
    """Check the signed ranges cover the whole file and the unsigned gap is only the signature."""
    try:
        a, b, c, d = (int(x) for x in byte_range)
    except (TypeError, ValueError):
        return ["The signature does not say which bytes it covers."]
    problems = []
    if a != 0 or c + d != len(data) or not (0 < b < c):
        problems.append(
            "The signature does not cover the whole file: it was changed after signing."
        )
        return problems
    match = _HEX.match(data[b:c])
    if match is None:
        return ["The signature value in the file is damaged."]
    hex_digits = match.group(1)
    if len(hex_digits) % 2:
        return ["The signature value in the file is damaged."]
    blob = bytes.fromhex(hex_digits.decode("ascii"))
    length = _der_length(blob)
    if length is None or length > len(blob) or any(blob[length:]):
        return ["The signature value in the file is damaged."]
    if not _cms_well_formed(blob[:length]):
        problems.append("The signature value in the file is damaged.")
    return problems


def _cms_well_formed(der: bytes) -> bool:
    """The CMS object parses fully, is canonical DER, and declares the digest it uses.

    pyHanko checks what the signature protects; this catches changes to the parts of the CMS
    structure that no signature covers (e.g. the list of digest algorithms).
    """
    from asn1crypto import cms

    try:
        info = cms.ContentInfo.load(der, strict=True)
        _ = info.native
        if info.dump(force=True) != der or info["content_type"].native != "signed_data":
            return False
        signed = info["content"]
        if signed["version"].native not in _SIGNED_DATA_VERSIONS:
            return False
        declared = {alg["algorithm"].native for alg in signed["digest_algorithms"]}
        return all(
            signer["version"].native in _SIGNER_INFO_VERSIONS
            and signer["digest_algorithm"]["algorithm"].native in declared
            for signer in signed["signer_infos"]
        )
    except Exception:  # a structure that does not parse is damaged
        return False


def _signer_name(cert: Any) -> str:
    try:
        subject = cert.subject.native
        name = subject.get("common_name") or cert.subject.human_friendly
        title = subject.get("title")
        return f"{name} ({title})" if title else str(name)
    except Exception:  # a strange certificate is still reported
        return "unknown signer"


def _check_signature(data: bytes, embedded: Any, context_factory: Any) -> SignatureReport:
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    name = str(getattr(embedded, "field_name", "") or "signature")
    problems = _byte_range_problems(data, embedded.byte_range)
    from pyhanko.sign.validation.settings import KeyUsageConstraints

    # Organisations' signing certificates carry digitalSignature, nonRepudiation or both.
    usage = KeyUsageConstraints(key_usage={"digital_signature", "non_repudiation"})
    status = validate_pdf_signature(embedded, context_factory(), key_usage_settings=usage)
    whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    if not status.intact:
        problems.append("The document was changed after it was signed.")
    elif not status.valid:
        problems.append("The signature does not match the signer's certificate.")
    if not whole and not any("whole file" in p for p in problems):
        problems.append("Part of the file was added or changed after it was signed.")
    return SignatureReport(
        field_name=name,
        signer=_signer_name(status.signing_cert),
        signing_time=status.signer_reported_dt,
        intact=bool(status.intact),
        valid=bool(status.valid),
        trusted=bool(status.trusted),
        whole_document=whole,
        problems=tuple(problems),
    )


def verify_pdf_bytes(
    data: bytes, *, trust_roots: list[Any] | None = None, path: str = ""
) -> VerificationResult:
    """Check every signature in ``data``. Never raises; problems are in the result."""
    try:
        with _quiet():
            from pyhanko.pdf_utils.reader import PdfFileReader
            from pyhanko_certvalidator import ValidationContext

            def context() -> ValidationContext:
                return ValidationContext(trust_roots=list(trust_roots or []), allow_fetching=False)

            try:
                reader = PdfFileReader(io.BytesIO(data), strict=True)
                embedded = list(reader.embedded_signatures)
            except Exception:
                return VerificationResult(
                    path,
                    problems=("The file is damaged or is not a PDF that caseaudit can read.",),
                )
            if not embedded:
                return VerificationResult(path, problems=("The document is not signed.",))
            reports = []
            for sig in embedded:
                try:
                    reports.append(_check_signature(data, sig, context))
                except Exception:  # any failure means "not valid", never a crash
                    reports.append(
                        SignatureReport(
                            field_name=str(getattr(sig, "field_name", "") or "signature"),
                            signer="unknown signer",
                            signing_time=None,
                            intact=False,
                            valid=False,
                            trusted=False,
                            whole_document=False,
                            problems=("The signature is damaged and cannot be checked.",),
                        )
                    )
            return VerificationResult(path, tuple(reports))
    except Exception:
        return VerificationResult(path, problems=("The document could not be checked.",))
