"""`frigate-privacy keys`: the service signing key, owner age identities and generated passphrases."""

from __future__ import annotations

import argparse
from pathlib import Path

from frigate_privacy.config import load_config
from frigate_privacy.crypto.age_keys import generate_identity_file
from frigate_privacy.crypto.passphrase import generate_passphrase, generated_entropy_bits
from frigate_privacy.crypto.signing import load_or_create_signing_key

__all__ = ["add_location_args", "data_dir_from_args", "register"]


def add_location_args(parser: argparse.ArgumentParser) -> None:
    """`--config FILE | --data-dir DIR`, shared with the audit command."""
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--config", type=Path, help="config file (its storage.data_dir is used)")
    where.add_argument("--data-dir", type=Path, help="the plugin's data directory")


def data_dir_from_args(args: argparse.Namespace) -> Path:
    """The data directory named by `--data-dir`, by `--config`, or the default config's."""
    if getattr(args, "data_dir", None) is not None:
        return Path(args.data_dir)
    if getattr(args, "config", None) is not None:
        return Path(load_config(args.config).storage.data_dir)
    from frigate_privacy.config import PrivacyConfig

    return Path(PrivacyConfig().storage.data_dir)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `keys` command."""
    p = sub.add_parser("keys", help="signing key, owner age identities, passphrases")
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    show = actions.add_parser("show", help="print the service's public signing key (created on first use)")
    add_location_args(show)
    show.add_argument("--pem", action="store_true", help="also print the key as PEM")
    show.set_defaults(func=_show)
    gen = actions.add_parser("generate-recipient", help="write a new age identity (0600) and print its recipient")
    gen.add_argument("-o", "--output", type=Path, required=True, help="identity file to create")
    gen.set_defaults(func=_generate_recipient)
    pw = actions.add_parser("generate-passphrase", help="print a strong random passphrase once")
    pw.set_defaults(func=_generate_passphrase)


def _show(args: argparse.Namespace) -> int:
    key = load_or_create_signing_key(data_dir_from_args(args))
    print(f"public key:  {key.public.text}")
    print(f"fingerprint: {key.public.fingerprint}")
    print(f"key file:    {key.path}")
    if args.pem:
        print(key.public.pem(), end="")
    return 0


def _generate_recipient(args: argparse.Namespace) -> int:
    made = generate_identity_file(args.output)
    print(f"identity written to {made.path} (keep it offline; it opens every export encrypted to it)")
    print(f"recipient: {made.recipient}")
    return 0


def _generate_passphrase(args: argparse.Namespace) -> int:
    print(generate_passphrase())
    print(f"({generated_entropy_bits():.0f} bits; shown only this once, store it safely)")
    return 0
