"""Synthetic people for the demo local authority: names, addresses and census characteristics.

Faker (locale en_GB, seeded) is slow per call, so names, streets and districts are drawn once
into fixed-size pools and then picked with the build's own ``random.Random``; the same seed
therefore always gives the same people. Every name here is invented. Ethnicity uses the 2021
census categories for England and Wales, weighted roughly as in the children-in-need census.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from datetime import date

from faker import Faker

#: 2021 census ethnic groups (England and Wales) with rough children-in-need weights.
ETHNICITIES: tuple[tuple[str, float], ...] = (
    ("White: English, Welsh, Scottish, Northern Irish or British", 64.0),
    ("White: Irish", 0.8),
    ("White: Gypsy or Irish Traveller", 1.0),
    ("White: Roma", 0.5),
    ("White: Other White", 6.0),
    ("Mixed: White and Black Caribbean", 3.0),
    ("Mixed: White and Black African", 1.5),
    ("Mixed: White and Asian", 2.0),
    ("Mixed: Other Mixed or Multiple ethnic groups", 3.0),
    ("Asian or Asian British: Indian", 1.8),
    ("Asian or Asian British: Pakistani", 3.0),
    ("Asian or Asian British: Bangladeshi", 1.5),
    ("Asian or Asian British: Chinese", 0.3),
    ("Asian or Asian British: Other Asian", 1.5),
    ("Black or Black British: African", 4.0),
    ("Black or Black British: Caribbean", 1.5),
    ("Black or Black British: Other Black", 1.0),
    ("Other ethnic group: Arab", 0.7),
    ("Other ethnic group: Any other ethnic group", 1.4),
    ("Not stated", 1.5),
)
_ETHNIC_NAMES = [name for name, _ in ETHNICITIES]
_ETHNIC_CUM = list(itertools.accumulate(w for _, w in ETHNICITIES))

POOL_SIZES = {"female": 150, "male": 150, "family": 400, "street": 500}


@dataclass(frozen=True)
class District:
    name: str
    area: str  # "North" | "South"
    outward: str  # postcode district, e.g. "DB4"


@dataclass
class NamePools:
    """Pools of invented names and places drawn once from a seeded Faker."""

    female: list[str]
    male: list[str]
    family: list[str]
    streets: list[str]
    districts: list[District]

    @classmethod
    def build(cls, fake: Faker) -> NamePools:
        def unique(draw, size: int) -> list[str]:  # noqa: ANN001
            seen: dict[str, None] = {}
            attempts = 0
            while len(seen) < size and attempts < size * 4:
                seen.setdefault(draw(), None)
                attempts += 1
            return list(seen)

        female = unique(fake.first_name_female, POOL_SIZES["female"])
        male = unique(fake.first_name_male, POOL_SIZES["male"])
        family = unique(fake.last_name, POOL_SIZES["family"])
        streets = unique(fake.street_name, POOL_SIZES["street"])
        towns = unique(fake.city, 8)
        districts = [
            District(name=town, area="North" if i < 4 else "South", outward=f"DB{i + 1}")
            for i, town in enumerate(towns)
        ]
        return cls(female, male, family, streets, districts)

    def given_name(self, rng: random.Random, gender: str) -> str:
        if gender == "Female":
            return rng.choice(self.female)
        if gender == "Male":
            return rng.choice(self.male)
        return rng.choice(self.female if rng.random() < 0.5 else self.male)

    def family_name(self, rng: random.Random) -> str:
        return rng.choice(self.family)

    def person(self, rng: random.Random, gender: str, family: str | None = None) -> str:
        return f"{self.given_name(rng, gender)} {family or self.family_name(rng)}"

    def address(self, rng: random.Random, area: str) -> tuple[str, str]:
        """An invented address in the borough's North or South; returns (address, postcode)."""
        district = rng.choice([d for d in self.districts if d.area == area] or self.districts)
        letters = "ABDEFGHJLNPQRSTUWXYZ"
        postcode = (
            f"{district.outward} {rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}"
        )
        if rng.random() < 0.2:
            line = f"Flat {rng.randint(1, 40)}, {rng.randint(1, 120)} {rng.choice(self.streets)}"
        else:
            line = f"{rng.randint(1, 220)} {rng.choice(self.streets)}"
        return f"{line}, {district.name}", postcode


def pick_ethnicity(rng: random.Random) -> str:
    return rng.choices(_ETHNIC_NAMES, cum_weights=_ETHNIC_CUM, k=1)[0]


def pick_gender(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.515:
        return "Male"
    if roll < 0.99:
        return "Female"
    return "Not known"


def add_years(day: date, years: int) -> date:
    """The same calendar day ``years`` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def related_people(
    rng: random.Random,
    pools: NamePools,
    child_family: str,
    *,
    looked_after: bool,
) -> list[tuple[str, str]]:
    """One to three family members or carers as (name, relationship to the child)."""
    people: list[tuple[str, str]] = []
    mother_family = child_family if rng.random() < 0.7 else pools.family_name(rng)
    people.append((pools.person(rng, "Female", mother_family), "mother"))
    wanted = rng.choice((1, 2, 2, 3, 3))
    extras = ["father", "sibling", "maternal grandmother"]
    if looked_after:
        extras.insert(0, "foster carer")
    while len(people) < wanted:
        kind = extras.pop(0 if rng.random() < 0.6 else rng.randrange(len(extras)))
        if kind == "father":
            family = child_family if rng.random() < 0.6 else pools.family_name(rng)
            people.append((pools.person(rng, "Male", family), kind))
        elif kind == "sibling":
            people.append((pools.person(rng, pick_gender(rng), child_family), kind))
        elif kind == "foster carer":
            people.append((pools.person(rng, "Female" if rng.random() < 0.7 else "Male"), kind))
        else:
            people.append((pools.person(rng, "Female", mother_family), kind))
    return people
