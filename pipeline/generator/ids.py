"""Identifiers with real check digits: IBANs, VAT ids, US routing numbers; and invoice/PO/customer numbers.

Checksummed numbers are drawn by rejection: random digits in the national shape until python-stdnum accepts
them. Every draw uses the caller's ``random.Random``, so a seed always gives the same numbers.
"""

from __future__ import annotations

import random
import string

from stdnum import iban as std_iban
from stdnum.at import uid as at_uid
from stdnum.au import abn as au_abn
from stdnum.be import vat as be_vat
from stdnum.ca import bn as ca_bn
from stdnum.ch import vat as ch_vat
from stdnum.de import vat as de_vat
from stdnum.dk import cvr as dk_cvr
from stdnum.es import nif as es_nif
from stdnum.fr import tva as fr_tva
from stdnum.gb import vat as gb_vat
from stdnum.ie import vat as ie_vat
from stdnum.it import iva as it_iva
from stdnum.nl import btw as nl_btw
from stdnum.pl import nip as pl_nip
from stdnum.se import vat as se_vat
from stdnum.us import rtn as us_rtn

D = string.digits
U = string.ascii_uppercase


def _digits(rng: random.Random, n: int, first_nonzero: bool = False) -> str:
    s = "".join(rng.choice(D) for _ in range(n))
    if first_nonzero and s[0] == "0":
        s = rng.choice("123456789") + s[1:]
    return s


def _letters(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(U) for _ in range(n))


def _draw(rng: random.Random, make, valid, tries: int = 5000) -> str:
    for _ in range(tries):
        candidate = make()
        if valid(candidate):
            return candidate
    raise RuntimeError("could not draw a valid identifier")  # pragma: no cover - would mean a broken shape


# --- IBAN -------------------------------------------------------------------------------------------------------

_BBAN = {
    # country: (bank code maker, rest maker) producing the BBAN
    "DE": lambda r: _digits(r, 8, True) + _digits(r, 10),
    "AT": lambda r: _digits(r, 5, True) + _digits(r, 11),
    "CH": lambda r: "00" + _digits(r, 3, True) + _digits(r, 12),
    "FR": lambda r: _digits(r, 5, True) + _digits(r, 5) + _digits(r, 11) + _digits(r, 2),
    "BE": lambda r: _digits(r, 12),
    "ES": lambda r: _digits(r, 4, True) + _digits(r, 4) + _digits(r, 2) + _digits(r, 10),
    "NL": lambda r: rng_choice(r, ("ABNA", "INGB", "RABO", "SNSB", "TRIO", "KNAB", "BUNQ")) + _digits(r, 10),
    "IT": lambda r: _letters(r, 1) + _digits(r, 5, True) + _digits(r, 5) + _digits(r, 12),
    "GB": lambda r: rng_choice(r, ("NWBK", "BARC", "LOYD", "HBUK", "MIDL", "SRLG")) + _digits(r, 6) + _digits(r, 8),
    "IE": lambda r: rng_choice(r, ("AIBK", "BOFI", "IPBS")) + _digits(r, 6) + _digits(r, 8),
    "SE": lambda r: _digits(r, 3, True) + _digits(r, 17),
    "DK": lambda r: _digits(r, 4, True) + _digits(r, 10),
    "PL": lambda r: _digits(r, 8, True) + _digits(r, 16),
}


def rng_choice(rng: random.Random, seq):
    return seq[rng.randrange(len(seq))]


def _with_check(country: str, bban: str) -> str:
    raw = bban + country + "00"
    num = "".join(str(int(c, 36)) for c in raw)
    check = 98 - int(num) % 97
    return f"{country}{check:02d}{bban}"


def iban_countries() -> tuple[str, ...]:
    return tuple(_BBAN)


def make_iban(rng: random.Random, country: str) -> str:
    """A valid IBAN (ISO 7064 check digits plus the national check where stdnum knows one), compact form."""
    make = _BBAN[country]
    return _draw(rng, lambda: _with_check(country, make(rng)), std_iban.is_valid)


def group_iban(iban: str) -> str:
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))


def make_bic(rng: random.Random, country: str, bank_hint: str = "") -> str:
    bank = (bank_hint or _letters(rng, 4))[:4].upper().ljust(4, "X")
    loc = rng_choice(rng, ("MM", "FF", "PP", "2X", "22", "HH", "M1", "B1", "LL"))
    branch = rng_choice(rng, ("", "", "XXX", "")) if rng.random() < 0.8 else _digits(rng, 3)
    return bank + country + loc + branch


def make_routing(rng: random.Random) -> str:
    return _draw(rng, lambda: rng_choice(rng, ("0", "1", "2")) + _digits(rng, 8), us_rtn.is_valid)


# --- VAT / tax ids ----------------------------------------------------------------------------------------------


def _vat_de(r):
    return _draw(r, lambda: "DE" + _digits(r, 9, True), de_vat.is_valid)


def _vat_at(r):
    return _draw(r, lambda: "ATU" + _digits(r, 8, True), at_uid.is_valid)


def _vat_ch(r):
    return _draw(r, lambda: "CHE" + _digits(r, 9, True), lambda c: ch_vat.is_valid(c + "MWST"))


def _vat_fr(r):
    def make():
        siren = _draw(r, lambda: _digits(r, 9, True), lambda s: _luhn(s))
        key = (12 + 3 * (int(siren) % 97)) % 97
        return f"FR{key:02d}{siren}"

    return _draw(r, make, fr_tva.is_valid)


def _vat_be(r):
    return _draw(r, lambda: "BE0" + _digits(r, 9, True), be_vat.is_valid)


def _vat_es(r):
    def make():
        if r.random() < 0.8:  # company CIF: letter + 7 digits + control
            return "B" + _digits(r, 7) + r.choice(D + "ABCDEFGHIJ")
        return _digits(r, 8) + r.choice(U)  # sole trader NIF

    return _draw(r, make, es_nif.is_valid)


def _vat_nl(r):
    return _draw(r, lambda: "NL" + _digits(r, 9, True) + "B0" + r.choice("123"), nl_btw.is_valid)


def _vat_it(r):
    return _draw(r, lambda: "IT" + _digits(r, 7, True) + _digits(r, 3) + _digits(r, 1), it_iva.is_valid)


def _vat_gb(r):
    return _draw(r, lambda: "GB" + _digits(r, 9, True), gb_vat.is_valid)


def _vat_ie(r):
    return _draw(r, lambda: "IE" + _digits(r, 7, True) + r.choice("ABCDEFGHW"), ie_vat.is_valid)


def _vat_se(r):
    return _draw(r, lambda: "SE" + r.choice("5") + _digits(r, 9) + "01", se_vat.is_valid)


def _vat_dk(r):
    return _draw(r, lambda: "DK" + _digits(r, 8, True), lambda c: dk_cvr.is_valid(c[2:]))


def _vat_pl(r):
    return _draw(r, lambda: "PL" + _digits(r, 10, True), lambda c: pl_nip.is_valid(c[2:]))


def _ein_us(r):
    prefix = rng_choice(r, ("12", "13", "20", "26", "27", "45", "46", "47", "81", "82", "83", "84", "94", "95"))
    return f"{prefix}-{_digits(r, 7)}"


def _abn_au(r):
    return au_abn.format(_draw(r, lambda: _digits(r, 11, True), au_abn.is_valid))


def _bn_ca(r):
    bn = _draw(r, lambda: _digits(r, 9, True), ca_bn.is_valid)
    return f"{bn} RT0001"


def _cn_jp(r):
    return "T" + _digits(r, 13, True)  # qualified invoice issuer number (check digit not modelled)


_VAT = {
    "DE": _vat_de,
    "AT": _vat_at,
    "CH": _vat_ch,
    "FR": _vat_fr,
    "BE": _vat_be,
    "ES": _vat_es,
    "NL": _vat_nl,
    "IT": _vat_it,
    "GB": _vat_gb,
    "IE": _vat_ie,
    "SE": _vat_se,
    "DK": _vat_dk,
    "PL": _vat_pl,
    "US": _ein_us,
    "AU": _abn_au,
    "CA": _bn_ca,
    "JP": _cn_jp,
}


def _luhn(s: str) -> bool:
    total = 0
    for i, c in enumerate(reversed(s)):
        d = int(c)
        if i % 2:
            d *= 2
            d -= 9 if d > 9 else 0
        total += d
    return total % 10 == 0


def make_tax_id(rng: random.Random, country: str) -> str:
    """The seller's VAT id (EU/UK/CH; checksum-valid), or the national tax id elsewhere (EIN, ABN, BN, JP T-number).

    Compact form (no spaces) except where the national form has separators (EIN, ABN, BN, CHE-...).
    """
    value = _VAT[country](rng)
    if country == "CH":
        return ch_vat.format(value + "MWST")  # CHE-123.456.789 MWST
    return value


def display_tax_id(rng: random.Random, value: str, country: str) -> str:
    """How the id is printed: mostly as is, sometimes spaced like many real letterheads do."""
    if country == "GB" and rng.random() < 0.4:
        return f"{value[:2]} {value[2:5]} {value[5:9]} {value[9:]}"
    if country == "DE" and rng.random() < 0.2:
        return f"{value[:2]} {value[2:5]} {value[5:8]} {value[8:]}"
    if country == "FR" and rng.random() < 0.3:
        return f"{value[:2]} {value[2:4]} {value[4:7]} {value[7:10]} {value[10:]}"
    if country == "NL" and rng.random() < 0.2:
        return f"{value[:2]}{value[2:11]}.{value[11:]}"
    return value


# --- document numbers -------------------------------------------------------------------------------------------


def make_invoice_number(rng: random.Random, year: int, month: int) -> str:
    n = rng.randint(1, 99999)
    yy = year % 100
    shapes = (
        lambda: f"INV-{year}-{n % 10000:04d}",
        lambda: f"{year}/{n % 1000}",
        lambda: f"R-{10000 + n % 90000}",
        lambda: f"{rng.randint(1, 999999):09d}",
        lambda: f"FA{yy:02d}-{n % 10000:04d}",
        lambda: f"RE{year}{n % 100000:05d}",
        lambda: f"F-{year}-{n % 100000:05d}",
        lambda: f"{100000 + n % 900000}",
        lambda: f"INV{n:06d}",
        lambda: f"{year}-{month:02d}-{n % 10000:04d}",
        lambda: f"A/{year}/{n % 100000:05d}",
        lambda: f"{_letters(rng, 2)}{yy:02d}{month:02d}{n % 1000:03d}",
        lambda: f"#{1000 + n % 9000}",
        lambda: f"{n % 1000}/{yy:02d}",
        lambda: f"FV/{n % 1000}/{year}",
        lambda: f"{year}{n % 100000:05d}",
        lambda: f"S{rng.randint(10, 99)}-{n % 100000:05d}",
        lambda: f"IN{yy:02d}{n % 100000:05d}",
        lambda: f"FAC-{n % 100000:05d}",
        lambda: f"{rng.randint(1, 9)}{n % 10000:04d}{_letters(rng, 1)}",
    )
    return rng_choice(rng, shapes)()


def make_po_number(rng: random.Random, year: int) -> str:
    shapes = (
        lambda: f"45{rng.randint(0, 99999999):08d}",
        lambda: f"PO-{rng.randint(1000, 99999)}",
        lambda: f"PO{year}-{rng.randint(1, 9999):04d}",
        lambda: f"{rng.randint(10000, 999999)}",
        lambda: f"BST-{year}-{rng.randint(1, 999):03d}",
        lambda: f"{_letters(rng, 3)}-{rng.randint(100, 9999)}",
        lambda: f"OC{rng.randint(10000, 99999)}",
        lambda: f"P{rng.randint(100000, 999999)}",
    )
    return rng_choice(rng, shapes)()


def make_customer_number(rng: random.Random) -> str:
    shapes = (
        lambda: f"{rng.randint(10000, 99999)}",
        lambda: f"KD-{rng.randint(1000, 99999)}",
        lambda: f"C{rng.randint(0, 99999):05d}",
        lambda: f"CUST-{rng.randint(100, 9999)}",
        lambda: f"{rng.randint(100, 999)}-{rng.randint(1000, 9999)}",
        lambda: f"D{rng.randint(10000, 99999)}",
    )
    return rng_choice(rng, shapes)()


def make_delivery_note(rng: random.Random, year: int) -> str:
    shapes = (
        lambda: f"LS-{rng.randint(10000, 99999)}",
        lambda: f"DN{year}{rng.randint(1, 9999):04d}",
        lambda: f"{rng.randint(800000, 899999)}",
        lambda: f"BL{rng.randint(1000, 99999)}",
    )
    return rng_choice(rng, shapes)()
