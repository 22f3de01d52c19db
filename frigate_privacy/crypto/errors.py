"""Errors of the crypto layer: each names what went wrong in words a user can act on."""

from __future__ import annotations

from frigate_privacy.errors import InputError, PrivacyError, StorageFullError
from frigate_privacy.exit_codes import ExitCode

__all__ = [
    "CorruptCiphertextError",
    "CryptoError",
    "EncryptionModeError",
    "KeyFileError",
    "NotAnAgeFileError",
    "PassphraseSizeError",
    "StorageFullError",
    "WeakPassphraseError",
    "WrongKeyError",
    "WrongPassphraseError",
]


class CryptoError(PrivacyError):
    """Base of every encryption, decryption and signing failure."""

    exit_code = ExitCode.CRYPTO


class WrongKeyError(CryptoError):
    """None of the given identities opens the file."""


class WrongPassphraseError(CryptoError):
    """The passphrase does not open the file."""


class CorruptCiphertextError(CryptoError):
    """The file is truncated or was altered after encryption (authentication failed)."""


class NotAnAgeFileError(CryptoError):
    """The input is not an age file at all, or its header is damaged."""


class EncryptionModeError(InputError):
    """The requested combination of passphrase, recipients and identities is not possible."""


class PassphraseSizeError(CryptoError):
    """Passphrase mode holds the file in memory, so it has a size cap; the input is above it."""


class WeakPassphraseError(InputError):
    """A passphrase breaks one of the strength rules."""


class KeyFileError(CryptoError):
    """A key file is missing, malformed or readable by others."""


class WorkFactorError(CryptoError):
    """A passphrase file asks for more scrypt work than any export of ours uses: refused before deriving a key."""
