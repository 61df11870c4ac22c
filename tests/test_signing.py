"""Signing identities and PAdES signatures: pyHanko and poppler's pdfsig both accept them."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from reportlab.pdfgen.canvas import Canvas

from caseaudit.errors import AuthenticationFailed, NotFound, ValidationError
from caseaudit.reports.identity import (
    change_identity_password,
    create_identity,
    ensure_identity,
    identity_info,
    identity_path,
    import_identity,
    load_identity,
)
from caseaudit.reports.signing import SIGNATURE_FIELD, sign_pdf
from caseaudit.reports.verify import load_trust_roots, verify_pdf_bytes

PASSWORD = "correct-horse-1"


def simple_pdf(text: str = "Audit round summary") -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    canvas.drawString(72, 720, text)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


@pytest.fixture
def identity(tmp_path: Path):
    create_identity("jane.doe", "Jane Doe", "QA lead", PASSWORD, data_dir=tmp_path)
    return load_identity("jane.doe", PASSWORD, data_dir=tmp_path)


def test_a_new_identity_is_self_signed_encrypted_and_private(tmp_path: Path) -> None:
    info = create_identity("jane.doe", "Jane Doe", "QA lead", PASSWORD, data_dir=tmp_path)
    assert info.path == tmp_path.resolve() / "identities" / "jane.doe.p12"
    assert info.signer_name == "Jane Doe" and info.role == "QA lead" and info.self_signed
    assert info.path.stat().st_mode & 0o077 == 0
    with pytest.raises(ValueError):
        pkcs12.load_key_and_certificates(info.path.read_bytes(), None)
    key, cert, _ = pkcs12.load_key_and_certificates(info.path.read_bytes(), PASSWORD.encode())
    assert key is not None and cert is not None
    assert identity_info("jane.doe", tmp_path) == info
    with pytest.raises(ValidationError):
        create_identity("jane.doe", "Jane Doe", "QA lead", PASSWORD, data_dir=tmp_path)


def test_the_wrong_password_does_not_unlock_it(tmp_path: Path) -> None:
    create_identity("jane.doe", "Jane Doe", "QA lead", PASSWORD, data_dir=tmp_path)
    with pytest.raises(AuthenticationFailed):
        load_identity("jane.doe", "not-the-password", data_dir=tmp_path)
    with pytest.raises(NotFound):
        load_identity("someone.else", PASSWORD, data_dir=tmp_path)


def test_ensure_creates_once_and_password_change_rekeys(tmp_path: Path) -> None:
    first = ensure_identity("jo", "Jo Bloggs", "Auditor", PASSWORD, data_dir=tmp_path)
    again = ensure_identity("jo", "Jo Bloggs", "Auditor", PASSWORD, data_dir=tmp_path)
    assert first.info.fingerprint_sha256 == again.info.fingerprint_sha256
    change_identity_password("jo", PASSWORD, "new-password-2", data_dir=tmp_path)
    with pytest.raises(AuthenticationFailed):
        load_identity("jo", PASSWORD, data_dir=tmp_path)
    assert load_identity("jo", "new-password-2", data_dir=tmp_path).info == first.info


def _organisation_p12(
    tmp_path: Path, *, expired: bool = False, non_repudiation: bool = True
) -> Path:
    """A .p12 as an organisation's CA would issue: RSA key, certificate signed by a CA."""
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Borough Council Signing CA")])
    now = datetime.now(UTC)
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(1)
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "Jane Doe"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Borough Council"),
        ]
    )
    end = now - timedelta(days=1) if expired else now + timedelta(days=365)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(2)
        .not_valid_before(now - timedelta(days=2))
        .not_valid_after(end)
        .add_extension(
            x509.KeyUsage(True, non_repudiation, False, False, False, False, False, False, False),
            True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    path = tmp_path / ("expired.pfx" if expired else "council.pfx")
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"jane", key, cert, [ca], serialization.BestAvailableEncryption(b"pfx-secret")
        )
    )
    (tmp_path / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    return path


def test_an_organisation_certificate_is_imported_and_trusted_through_its_ca(
    tmp_path: Path,
) -> None:
    pfx = _organisation_p12(tmp_path)
    with pytest.raises(ValidationError):
        import_identity("jane.doe", pfx, "wrong", PASSWORD, data_dir=tmp_path)
    info = import_identity("jane.doe", pfx, "pfx-secret", PASSWORD, data_dir=tmp_path)
    assert not info.self_signed and info.organisation == "Borough Council"
    signer = load_identity("jane.doe", PASSWORD, "QA lead", data_dir=tmp_path)
    signed = sign_pdf(simple_pdf(), signer, reason="test")
    untrusted = verify_pdf_bytes(signed)
    assert untrusted.intact and not untrusted.trusted
    trusted = verify_pdf_bytes(signed, trust_roots=load_trust_roots([tmp_path / "ca.pem"]))
    assert trusted.intact and trusted.trusted
    assert trusted.signer == "Jane Doe"


def test_a_certificate_for_digital_signature_only_is_trusted_too(tmp_path: Path) -> None:
    pfx = _organisation_p12(tmp_path, non_repudiation=False)
    import_identity("jane.doe", pfx, "pfx-secret", PASSWORD, data_dir=tmp_path)
    signer = load_identity("jane.doe", PASSWORD, "QA lead", data_dir=tmp_path)
    signed = sign_pdf(simple_pdf(), signer, reason="test")
    trusted = verify_pdf_bytes(signed, trust_roots=load_trust_roots([tmp_path / "ca.pem"]))
    assert trusted.intact and trusted.trusted


def test_an_expired_organisation_certificate_is_refused(tmp_path: Path) -> None:
    pfx = _organisation_p12(tmp_path, expired=True)
    with pytest.raises(ValidationError) as refused:
        import_identity("jane.doe", pfx, "pfx-secret", PASSWORD, data_dir=tmp_path)
    assert "expired" in " ".join(refused.value.problems)
    assert not identity_path("jane.doe", tmp_path).exists()


def test_pyhanko_says_the_signature_is_intact_valid_and_trusted(identity, tmp_path) -> None:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.fields import SigSeedSubFilter
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    signed = sign_pdf(simple_pdf(), identity, reason="Summary of audit round")
    embedded = PdfFileReader(io.BytesIO(signed)).embedded_signatures
    assert len(embedded) == 1
    sig = embedded[0]
    assert sig.field_name == SIGNATURE_FIELD
    assert sig.sig_object["/SubFilter"] == SigSeedSubFilter.PADES.value
    roots = load_trust_roots([identity.info.certificate_path])
    status = validate_pdf_signature(sig, ValidationContext(trust_roots=roots))
    assert status.intact and status.valid and status.trusted
    assert status.signing_cert.subject.native["common_name"] == "Jane Doe"


def test_the_visible_stamp_names_the_signer_role_and_date(identity) -> None:
    from pypdf import PdfReader

    signed = sign_pdf(simple_pdf(), identity, reason="test")
    page = PdfReader(io.BytesIO(signed)).pages[0]
    widgets = [a.get_object() for a in page.get("/Annots", [])]
    stamp = [w for w in widgets if w.get("/FT") == "/Sig"]
    assert stamp, "the signature has a widget on page 1"
    appearance = stamp[0]["/AP"]["/N"].get_object()
    content = appearance.get_data().decode("latin-1")
    for sub in appearance["/Resources"].get("/XObject", {}).values():
        content += sub.get_object().get_data().decode("latin-1")
    assert "Jane Doe" in content and "QA lead" in content
    assert str(datetime.now(UTC).year) in content


@pytest.mark.skipif(shutil.which("pdfsig") is None, reason="poppler-utils is not installed")
def test_poppler_pdfsig_reports_the_signature_valid(identity, tmp_path: Path) -> None:
    target = tmp_path / "signed.pdf"
    target.write_bytes(sign_pdf(simple_pdf(), identity, reason="test"))
    out = subprocess.run(["pdfsig", str(target)], capture_output=True, text=True, check=False)
    assert "Signature Validation: Signature is Valid." in out.stdout, out.stdout + out.stderr
    assert "Signer Certificate Common Name: Jane Doe" in out.stdout
