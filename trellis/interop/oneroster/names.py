"""Fictional names for the demo district generator, drawn from many cultures.

Every person the generator makes is fictional: a given name and a family name are combined at
random (seeded), so any resemblance to a real person is a coincidence of common names. Places
are invented too, and the district is always labelled "(demo)".
"""

from __future__ import annotations

# fmt: off
GIVEN_NAMES = (
    # English / American
    "Avery", "Blake", "Casey", "Dana", "Ellis", "Harper", "Jordan", "Morgan", "Quinn", "Riley",
    "Emma", "Liam", "Olivia", "Noah", "Grace", "Henry", "Clara", "Owen",
    # Spanish / Latin American
    "Alejandro", "Camila", "Diego", "Gabriela", "Javier", "Lucía", "Mateo", "Valentina",
    "Santiago", "Ximena", "Rafael", "Paloma",
    # West and East African
    "Abena", "Chidi", "Folake", "Kwame", "Amara", "Tendai", "Wanjiru", "Kofi", "Zola", "Eshe",
    # Arabic / Persian / Turkish
    "Amira", "Karim", "Layla", "Omar", "Yasmin", "Darius", "Shirin", "Emre", "Elif", "Tariq",
    # South Asian
    "Aarav", "Ananya", "Devika", "Ishaan", "Kavya", "Rohan", "Priya", "Arjun", "Meera", "Nikhil",
    # East and Southeast Asian
    "Hana", "Haruto", "Jia", "Minh", "Sora", "Wei", "Yuna", "Jun", "Linh", "Mei", "Tae-yang",
    "Bao", "Kiri",
    # European
    "Anouk", "Bjorn", "Chiara", "Elias", "Freya", "Ines", "Luca", "Milena", "Oskar", "Zofia",
    "Aoife", "Niamh", "Stellan", "Ilse",
    # Indigenous / Pacific / other
    "Aiyana", "Kai", "Leilani", "Nayeli", "Tahu", "Aroha", "Koa", "Sakari", "Talulah", "Ayita",
)

FAMILY_NAMES = (
    "Abernathy", "Blackwood", "Calloway", "Donnelly", "Fairbanks", "Hollis", "Kingsley",
    "Marlowe", "Pemberton", "Whitfield",
    "Alvarado", "Castillo", "Delgado", "Espinoza", "Fuentes", "Ibarra", "Montoya", "Navarro",
    "Quintero", "Villanueva",
    "Adeyemi", "Boateng", "Chukwu", "Mensah", "Okafor", "Owusu", "Mwangi", "Nkosi", "Diallo",
    "Haddad", "Karimi", "Mansour", "Nasser", "Rahimi", "Yilmaz", "Demir", "Saleh",
    "Bhattacharya", "Chaudhary", "Iyer", "Kapoor", "Menon", "Raghavan", "Subramanian", "Desai",
    "Chen", "Hoang", "Kim", "Nakamura", "Park", "Takahashi", "Tran", "Wong", "Zhao", "Sato",
    "Bergstrom", "Costa", "Dvorak", "Fischer", "Janssen", "Kowalski", "Lindqvist", "Moretti",
    "Novak", "Rossi", "Sorensen", "Vasquez", "O'Connell", "Byrne",
    "Begay", "Kealoha", "Tsosie", "Whitehorse", "Ngata", "Makoa", "Redcloud", "Tahana",
)

SCHOOL_PLACES = (
    "Cedar Ridge", "Willow Creek", "Harbor View", "Aspen Hollow", "Juniper Flats",
    "Larkspur", "Birch Meadow", "Copper Canyon", "Foxglove", "Heron Point",
    "Ironwood", "Kestrel Hill", "Lantern Bay", "Magnolia Park", "North Fork",
    "Orchard Glen", "Pinecrest", "Quarry Lake", "Redstone", "Sagebrush",
    "Tamarack", "Union Grove", "Vista Ridge", "Whistler Pass", "Yarrow Fields",
    "Amber Valley", "Bluebell", "Clearwater Bend", "Driftwood", "Evergreen Terrace",
)

PRONOUNS = ("she/her", "he/him", "they/them", "")
# fmt: on
