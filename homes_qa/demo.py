"""A demo organisation for `make run`: loaded only into an empty database."""
from __future__ import annotations

from sqlalchemy import func, select

from .extensions import db
from .models import Home, Role, User, acting_as
from .services import people

DEMO_PASSWORD = "homes-qa-demo-2026"

HOMES = (
    ("Oak House", "SC100001", "12 Oak Lane, Dorchester DT1 1AA", 4),
    ("Beech View", "SC100002", "3 Beech Road, Weymouth DT4 2BB", 3),
    ("Cedar Lodge", "SC100003", "27 Cedar Close, Poole BH15 3CC", 5),
    ("Elm Cottage", "SC100004", "8 Elm Street, Bridport DT6 4DD", 2),
    ("Willow Court", "SC100005", "41 Willow Way, Blandford DT11 5EE", 4),
    ("Rowan Place", "SC100006", "16 Rowan Drive, Sherborne DT9 6FF", 3),
)

# (name, email, role, indexes of homes assigned)
PEOPLE = (
    ("Amira Khan", "manager.oak@demo.example.org", Role.REGISTERED_MANAGER, (0,)),
    ("Ben Turner", "manager.beech@demo.example.org", Role.REGISTERED_MANAGER, (1,)),
    ("Chloe Evans", "manager.cedar@demo.example.org", Role.REGISTERED_MANAGER, (2,)),
    ("Daniel Price", "manager.elm@demo.example.org", Role.REGISTERED_MANAGER, (3, 4)),
    ("Grace Holt", "manager.rowan@demo.example.org", Role.REGISTERED_MANAGER, (5,)),
    ("Ivy Marsh", "visitor.one@demo.example.org", Role.REG44_VISITOR, (0, 1, 2)),
    ("Jon Reed", "visitor.two@demo.example.org", Role.REG44_VISITOR, (3, 4, 5)),
    ("Karen Ward", "sm.west@demo.example.org", Role.SERVICE_MANAGER, (0, 1, 2)),
    ("Liam Shaw", "sm.east@demo.example.org", Role.SERVICE_MANAGER, (3, 4, 5)),
    ("Maya Patel", "head@demo.example.org", Role.HEAD_OF_SERVICE, ()),
    ("Noah Fisher", "admin@demo.example.org", Role.ADMIN, ()),
)


def load_demo() -> list[tuple[str, str, str]] | None:
    """Create the demo homes and users; None if the database already has users."""
    if db.session.scalar(select(func.count(User.id))):
        return None
    with acting_as("demo data loader"):
        homes = [people.create_home(name=n, ofsted_urn=u, address=a, registered_places=p)
                 for n, u, a, p in HOMES]
        credentials = []
        for name, email, role, home_indexes in PEOPLE:
            user = people.create_user(name=name, email=email, role=role, password=DEMO_PASSWORD)
            for index in home_indexes:
                people.assign(homes[index], user)
            credentials.append((Role.LABELS[role], email, ", ".join(homes[i].name for i in home_indexes) or "all homes"))
    return credentials


def demo_exists() -> bool:
    return db.session.scalar(select(func.count(Home.id))) > 0
