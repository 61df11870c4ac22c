"""Signing identities: one key and certificate per user, kept in an encrypted PKCS#12 file.

A user's identity lives in ``<data folder>/identities/<username>.p12``, encrypted with the
user's own password, with the public certificate beside it as ``<username>.pem`` (recipients
may use it as a ``--trust`` root). It is either generated on first use (a self-signed X.509
certificate on an ECDSA P-256 key naming the user's display name and role) or imported from the
organisation's .p12/.pfx file, which is re-encrypted with the user's password. Nothing here
touches the database.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from .. import paths
from ..errors import AuthenticationFailed, NotFound, ValidationError

__all__ = [
    "IdentityInfo",
    "SigningIdentity",
    "change_identity_password",
    "create_identity",
    "ensure_identity",
    "identity_info",
    "identity_path",
    "import_identity",
    "load_identity",
]

SELF_SIGNED_ORGANISATION = "caseaudit self-signed identity"
VALID_YEARS = 5


@dataclass(frozen=True)
class IdentityInfo:
    """What a signing identity says about its holder (no secrets)."""

    username: str
    signer_name: str
    role: str
    organisation: str
    issuer: str
    self_signed: bool
    valid_from: datetime
    valid_until: datetime
    fingerprint_sha256: str
    path: Path
    certificate_path: Path


@dataclass
class SigningIdentity:
    """An unlocked identity: the pyHanko signer plus the words for the visible stamp."""

    info: IdentityInfo
    certificate: x509.Certificate
    signer: Any  # pyhanko.sign.signers.SimpleSigner
    role_label: str

    @property
    def signer_name(self) -> str:
        return self.info.signer_name


def identities_dir(data_dir: str | os.PathLike[str] | None = None) -> Path:
    folder = paths.data_dir(data_dir) / "identities"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def identity_path(username: str, data_dir: str | os.PathLike[str] | None = None) -> Path:
    return identities_dir(data_dir) / f"{username}.p12"


def _certificate_path(p12: Path) -> Path:
    return p12.with_suffix(".pem")


def _attr(name: x509.Name, oid: x509.ObjectIdentifier) -> str:
    values = name.get_attributes_for_oid(oid)
    return str(values[0].value) if values else ""


def _info(username: str, cert: x509.Certificate, path: Path) -> IdentityInfo:
    subject, issuer = cert.subject, cert.issuer
    return IdentityInfo(
        username=username,
        signer_name=_attr(subject, NameOID.COMMON_NAME) or username,
        role=_attr(subject, NameOID.TITLE),
        organisation=_attr(subject, NameOID.ORGANIZATION_NAME),
        issuer=issuer.rfc4514_string(),
        self_signed=subject == issuer,
        valid_from=cert.not_valid_before_utc,
        valid_until=cert.not_valid_after_utc,
        fingerprint_sha256=cert.fingerprint(hashes.SHA256()).hex(":").upper(),
        path=path,
        certificate_path=_certificate_path(path),
    )


def _write_private(path: Path, data: bytes) -> None:
    """Write ``data`` atomically, readable only by the user."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _store(
    username: str,
    key: Any,
    cert: x509.Certificate,
    chain: list[x509.Certificate],
    password: str,
    path: Path,
) -> IdentityInfo:
    blob = pkcs12.serialize_key_and_certificates(
        username.encode(),
        key,
        cert,
        chain or None,
        serialization.BestAvailableEncryption(password.encode()),
    )
    _write_private(path, blob)
    _certificate_path(path).write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return _info(username, cert, path)


def create_identity(
    username: str,
    display_name: str,
    role_label: str,
    password: str,
    *,
    organisation: str = "",
    data_dir: str | os.PathLike[str] | None = None,
    replace: bool = False,
) -> IdentityInfo:
    """Generate a self-signed identity for ``username`` protected by ``password``."""
    path = identity_path(username, data_dir)
    if path.exists() and not replace:
        raise ValidationError(
            f"{username} already has a signing identity ({path}). Remove it first, or import "
            "the organisation's certificate instead."
        )
    if not password:
        raise ValidationError("A signing identity needs the user's password to protect it.")
    key = ec.generate_private_key(ec.SECP256R1())
    name_attrs = [
        x509.NameAttribute(NameOID.COMMON_NAME, display_name or username),
        x509.NameAttribute(NameOID.USER_ID, username),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation or SELF_SIGNED_ORGANISATION),
    ]
    if role_label:
        name_attrs.insert(1, x509.NameAttribute(NameOID.TITLE, role_label))
    name = x509.Name(name_attrs)
    now = datetime.now(UTC)
    usage = x509.KeyUsage(
        digital_signature=True,
        content_commitment=True,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=365 * VALID_YEARS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .sign(key, hashes.SHA256())
    )
    return _store(username, key, cert, [], password, path)


def import_identity(
    username: str,
    pfx_path: str | os.PathLike[str],
    pfx_password: str | None,
    password: str,
    *,
    data_dir: str | os.PathLike[str] | None = None,
) -> IdentityInfo:
    """Take the organisation's .p12/.pfx file and keep it under the user's password."""
    source = Path(pfx_path)
    try:
        blob = source.read_bytes()
    except OSError as exc:
        raise NotFound(f"Could not read {source}: {exc.strerror}.") from None
    try:
        key, cert, chain = pkcs12.load_key_and_certificates(
            blob, pfx_password.encode() if pfx_password else None
        )
    except ValueError:
        raise ValidationError(
            f"{source.name} could not be opened: the password is wrong or it is not a "
            ".p12/.pfx file. Ask whoever issued it for the right file and password."
        ) from None
    problems = []
    if key is None or cert is None:
        problems.append("It must hold both a private key and its certificate.")
    elif cert.not_valid_after_utc < datetime.now(UTC):
        problems.append(f"The certificate expired on {cert.not_valid_after_utc:%d %B %Y}.")
    else:
        try:
            usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
        except x509.ExtensionNotFound:
            usage = None
        if usage is not None and not (usage.digital_signature or usage.content_commitment):
            problems.append("The certificate is not allowed to sign documents.")
    if problems:
        raise ValidationError(f"{source.name} cannot be used to sign reports.", problems)
    return _store(username, key, cert, list(chain), password, identity_path(username, data_dir))


def identity_info(
    username: str, data_dir: str | os.PathLike[str] | None = None
) -> IdentityInfo | None:
    """The identity's certificate details, or None when the user has none yet."""
    path = identity_path(username, data_dir)
    cert_path = _certificate_path(path)
    if not path.exists() or not cert_path.exists():
        return None
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    return _info(username, cert, path)


def load_identity(
    username: str,
    password: str,
    role_label: str = "",
    *,
    data_dir: str | os.PathLike[str] | None = None,
) -> SigningIdentity:
    """Unlock ``username``'s identity with their password."""
    from pyhanko.sign.signers import SimpleSigner  # pyHanko is slow to import; only when signing

    path = identity_path(username, data_dir)
    if not path.exists():
        raise NotFound(
            f"{username} has no signing identity yet. Create one with "
            "'caseaudit identity create' or import the organisation's .p12 file."
        )
    blob = path.read_bytes()
    try:
        _key, cert, _chain = pkcs12.load_key_and_certificates(blob, password.encode())
        signer = SimpleSigner.load_pkcs12_data(blob, other_certs=[], passphrase=password.encode())
    except ValueError:
        raise AuthenticationFailed(
            "Your signing identity could not be unlocked with your password. If your password "
            "was reset, make a new identity ('caseaudit identity create --replace') or import "
            "the organisation's certificate again."
        ) from None
    assert cert is not None
    info = _info(username, cert, path)
    return SigningIdentity(info, cert, signer, role_label or info.role)


def ensure_identity(
    username: str,
    display_name: str,
    role_label: str,
    password: str,
    *,
    organisation: str = "",
    data_dir: str | os.PathLike[str] | None = None,
) -> SigningIdentity:
    """Unlock the user's identity, generating a self-signed one on first use."""
    if not identity_path(username, data_dir).exists():
        create_identity(
            username,
            display_name,
            role_label,
            password,
            organisation=organisation,
            data_dir=data_dir,
        )
    return load_identity(username, password, role_label, data_dir=data_dir)


def change_identity_password(
    username: str,
    old_password: str,
    new_password: str,
    *,
    data_dir: str | os.PathLike[str] | None = None,
) -> None:
    """Re-encrypt the identity when the user's password changes (call from password change)."""
    path = identity_path(username, data_dir)
    if not path.exists():
        return
    try:
        key, cert, chain = pkcs12.load_key_and_certificates(
            path.read_bytes(), old_password.encode()
        )
    except ValueError:
        raise AuthenticationFailed(
            "The old password does not unlock the signing identity."
        ) from None
    assert cert is not None
    _store(username, key, cert, list(chain), new_password, path)
