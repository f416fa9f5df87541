"""The words the synthetic generator speaks with: name pools, fact templates, events and small talk.

Kept apart from `synthetic.py` so the generator's logic reads in one sitting. Contracts the generator relies
on (and `tests/test_synthetic.py` checks on the output):
- every fact template contains its slot values verbatim (`{title}`, `{city}`, `{pet}` ...), so a gold answer's
  words always appear in its evidence turn;
- every event statement contains `{when}` exactly once and no other relative-time phrase, so a temporal
  answer is computable from the evidence turn and its session's date;
- small talk never states a fact about a speaker (job, home, pet, relative, car, school ...), so adversarial
  questions about things never said stay unanswerable; it may mention cities and days, to distract.
Questions often paraphrase their statements ("What does X do for a living?" vs "I started as a nurse") so
that retrieval by word overlap alone is not enough.
"""

from __future__ import annotations

from dataclasses import dataclass

SPEAKER_NAMES = (
    "Caroline", "Melanie", "Jon", "Gina", "Maria", "Joanna", "Nate", "Tim", "Audrey", "Andrew", "Calvin",
    "Dave", "Evan", "Sam", "Priya", "Arjun", "Mei", "Hiroshi", "Fatima", "Omar", "Sofia", "Mateo", "Lucia",
    "Diego", "Aisha", "Kwame", "Nia", "Liam", "Olivia", "Noah", "Ethan", "Chloe", "Lucas", "Zoe", "Ravi",
    "Anika", "Chen", "Yuki", "Leila", "Hassan", "Ingrid", "Lars", "Marta", "Tomasz", "Camille", "Julien",
    "Rosa", "Carlos", "Grace", "Daniel", "Hannah", "Isaac", "Maya", "Owen", "Ruby", "Felix", "Nadia", "Theo",
)  # fmt: skip
FEMALE_NAMES = (
    "Emily", "Sarah", "Jessica", "Laura", "Anna", "Megan", "Rachel", "Claire", "Julia", "Natalie", "Vanessa",
    "Helen", "Irene", "Diane", "Paula", "Bianca", "Teresa", "Lena", "Monica", "Alicia", "Sylvia", "Dora",
)  # fmt: skip
MALE_NAMES = (
    "Jake", "Michael", "Chris", "Ben", "Ryan", "Kevin", "Peter", "Mark", "Victor", "Paul", "Greg", "Henry",
    "Simon", "Marcus", "Adrian", "Oscar", "Louis", "Frank", "Raymond", "Gabriel", "Hugo", "Walter",
)  # fmt: skip
PET_NAMES = (
    "Biscuit", "Luna", "Pepper", "Mochi", "Ziggy", "Olive", "Rocky", "Nala", "Pickles", "Waffles", "Coco",
    "Toby", "Juniper", "Pretzel", "Clover", "Bandit", "Noodle", "Sprout", "Domino", "Churro", "Peanut",
    "Hazel", "Gizmo", "Marble", "Tater", "Bubbles", "Scout", "Pixel",
)  # fmt: skip
SPECIES = ("dog", "cat", "parrot", "rabbit", "hamster", "turtle", "guinea pig", "ferret", "bearded dragon")
CITIES = (
    "Denver", "Portland", "San Diego", "Boston", "Austin", "Chicago", "Seattle", "Atlanta", "Phoenix",
    "Nashville", "Minneapolis", "Pittsburgh", "Philadelphia", "Sacramento", "Raleigh", "Madison",
    "Salt Lake City", "Tucson", "Albuquerque", "Milwaukee", "Baltimore", "Richmond", "Savannah", "Boise",
    "Omaha", "Cleveland", "Charleston", "New Orleans", "Honolulu", "Anchorage",
)  # fmt: skip
JOBS = (  # (title, workplace): titles share no word, so an old and a new job never look alike
    ("nurse", "the county hospital"),
    ("math teacher", "Lincoln High School"),
    ("software developer", "a fintech startup"),
    ("chef", "an Italian restaurant downtown"),
    ("accountant", "a tax firm"),
    ("firefighter", "Station 12"),
    ("veterinarian", "an animal clinic"),
    ("graphic designer", "an ad agency"),
    ("pharmacist", "a drugstore on Main Street"),
    ("electrician", "a construction company"),
    ("librarian", "the public library"),
    ("architect", "a small architecture firm"),
    ("journalist", "the local newspaper"),
    ("physical therapist", "a sports rehab center"),
    ("pilot", "a regional airline"),
    ("barista", "a coffee shop downtown"),
    ("data analyst", "an insurance company"),
    ("mechanic", "an auto repair shop"),
    ("dental hygienist", "a dental office"),
    ("social worker", "a family services agency"),
    ("paralegal", "a law firm"),
    ("baker", "a neighborhood bakery"),
    ("park ranger", "the state park"),
)
HOBBIES = (
    "rock climbing", "pottery", "gardening", "birdwatching", "knitting", "chess", "woodworking", "kayaking",
    "yoga", "salsa dancing", "watercolor painting", "calligraphy", "origami", "stargazing", "beekeeping",
    "fencing", "archery", "scuba diving", "embroidery", "bread baking",
)  # fmt: skip
FEMALE_RELATIONS = ("sister", "mother", "daughter", "aunt", "grandmother", "niece")
MALE_RELATIONS = ("brother", "father", "son", "uncle", "grandfather", "nephew")

# Fact statements. Slots: {title} {a_title} ("a nurse") {workplace} {city} {pet} {species} {hobby} {Hobby}
# {relation} {relative}. Real people rarely say "I work as" or "I live in": most statements here mention the
# fact in passing, inside something else they are telling, so that a fixed phrasing does not give it away.
JOB_STATEMENTS = (
    "Three months in at {workplace} and I'm loving it; being {a_title} suits me.",
    "Twelve hours at {workplace} today. Being {a_title} means my feet never stop hurting, but I "
    "wouldn't trade it.",
    "One of my coworkers at {workplace} brought in homemade cookies, which saved the day for every "
    "{title} on shift.",
    "Honestly the best part of being {a_title} is the people; {workplace} has such a good crew.",
    "The new manager at {workplace} wants every {title} to do extra training, so my evenings are gone.",
    "I had a really rewarding day at {workplace}. Moments like that remind me why I became {a_title}.",
    "Someone asked me for career advice and I told them {a_title} job like mine at {workplace} is "
    "hard but worth it.",
)
JOB_CHANGE_STATEMENTS = (
    "Big news: I quit and took a new job as {a_title} at {workplace}!",
    "So I got the offer from {workplace}! Starting there as {a_title} was scary, but everyone has "
    "been welcoming.",
    "First week as {a_title} at {workplace} is done, and I think leaving my old job was the right call.",
    "I finally made the leap. I handed in my notice and now I'm {a_title} over at {workplace}.",
    "New chapter for me: {workplace} hired me as {a_title}, and the commute is half what it was.",
)
CITY_STATEMENTS = (
    "Rent here in {city} keeps going up, but I can't imagine packing up and leaving.",
    "There's a farmers market near my place in {city} every Saturday and it has become my ritual.",
    "My apartment in {city} finally has working heat again.",
    "The sunsets over {city} from my balcony never get old, even after all these years.",
    "I took the long way home through {city} tonight and remembered why I love my neighborhood so much.",
    "People who visit me in {city} always say the food scene is underrated, and they're right.",
)
MOVE_STATEMENTS = (
    "We finally finished moving to {city}! Still unpacking boxes.",
    "The truck dropped off the last of our furniture and {city} officially feels like home now.",
    "Greetings from my new place in {city}; the move went smoothly.",
    "I signed the lease and packed my whole life into boxes, so it's {city} for me from now on.",
)
PET_STATEMENTS = (
    "My {species} {pet} chewed through another charging cable.",
    "{pet}, my {species}, has been keeping me company while I work.",
    "I took {pet} to the vet for a checkup and the vet said she has never seen such a healthy {species}.",
    "{pet} learned a new trick, I'm so proud. Not bad for a {species} who ignores me most days.",
    "Coming home to {pet} waiting by the door is the best part of my day. Best {species} ever.",
    "I bought {pet} a fancy new bed and of course my {species} would rather sleep in the box it came in.",
)
ADOPTION_STATEMENTS = (  # "two pets" is the knowledge-update answer, so it must be said here
    "We just brought home a {species} named {pet}, so now I have two pets!",
    "Big news: I adopted a {species} called {pet}. That makes two pets in my place now.",
    "Meet {pet}, the {species} I adopted from the shelter; two pets under one roof is chaos but I love it.",
)
RELATIVE_STATEMENTS = (
    "My {relation} {relative} came over for dinner and we talked for hours.",
    "I spent the afternoon helping {relative} move some furniture; having a {relation} nearby is a blessing.",
    "{relative} called me out of the blue, and it reminded me how lucky I am to have such a caring "
    "{relation}.",
    "I took {relative} out for lunch. We don't do that often enough, which is a shame because my "
    "{relation} is hilarious.",
    "Family game night got competitive, as always; {relative} won again and my {relation} will never "
    "let me forget it.",
)
RELATIVE_CITY_STATEMENTS = (  # name only, no relation: linking the two is the multi-hop
    "{relative} took a job in {city}, so I have an excuse to visit.",
    "{relative} finally settled in {city}, and the new apartment looks lovely.",
    "I'm flying out to see {relative}, who lives in {city} now.",
    "{relative} sent me pictures of the new place in {city}; I'm planning a visit soon.",
)
HOBBY_STATEMENTS = (
    "I've gotten really into {hobby} lately, it's so relaxing.",
    "Guess what, I signed up for a {hobby} class at the community center.",
    "{Hobby} has become my favorite way to unwind after a long day.",
    "A friend dragged me along to try {hobby} and now I'm completely hooked.",
    "I never thought I'd say this, but {hobby} is now the thing I look forward to all week.",
)

# Questions. Slots: {name} (and the ones above).
JOB_QUESTIONS = ("What does {name} do for a living?", "What is {name}'s profession?", "What is {name}'s job?")
WORKPLACE_QUESTIONS = ("Where does {name} work?", "Where is {name} employed?")
JOB_NOW_QUESTIONS = ("What does {name} do for a living now?", "What is {name}'s current job?")
WORKPLACE_NOW_QUESTIONS = ("Where does {name} work now?", "Where is {name} currently employed?")
JOB_BEFORE_QUESTIONS = ("What was {name}'s job before becoming {a_title}?",)
WORKPLACE_BEFORE_QUESTIONS = ("Where did {name} work before becoming {a_title}?",)
CITY_QUESTIONS = (
    "Where does {name} live?",
    "Which city is {name} based in?",
    "In what city does {name} live?",
)
CITY_NOW_QUESTIONS = ("Where does {name} live now?", "Which city is {name} currently based in?")
CITY_BEFORE_QUESTIONS = (
    "Which city did {name} live in before moving to {city}?",
    "Where did {name} live before relocating to {city}?",
)
PET_NAME_QUESTIONS = ("What is the name of {name}'s {species}?", "What is {name}'s {species} called?")
PET_SPECIES_QUESTIONS = ("What kind of animal is {name}'s pet {pet}?", "What species is {pet}, {name}'s pet?")
PET_COUNT_QUESTIONS = ("How many pets does {name} have now?", "How many pets does {name} currently have?")
RELATIVE_QUESTIONS = ("What is the name of {name}'s {relation}?", "What is {name}'s {relation} called?")
RELATIVE_CITY_QUESTIONS = (
    "Which city does {name}'s {relation} live in?",
    "Where is {name}'s {relation} living these days?",
)
HOBBY_QUESTIONS = (
    "What hobby has {name} taken up?",
    "What does {name} do to unwind?",
    "What does {name} enjoy doing in their free time?",
)
SHARED_HOBBY_QUESTIONS = (
    "Which hobby do {name} and {other} have in common?",
    "What activity do both {name} and {other} enjoy?",
)
PET_OF_WORKER_QUESTIONS = (
    "What is the name of the {species} that belongs to the person working as {a_title}?",
)
CITY_OF_WORKER_QUESTIONS = ("Which city does the person who works as {a_title} live in?",)
NEVER_DISCUSSED_QUESTIONS = (
    "What car does {name} drive?",
    "Which university did {name} graduate from?",
    "What musical instrument does {name} play?",
    "Which sports team does {name} support?",
    "What is {name}'s favorite book?",
    "Which language is {name} learning?",
    "What is {name}'s middle name?",
    "What is {name}'s zodiac sign?",
)


@dataclass(frozen=True)
class EventTemplate:
    """Something a speaker did at a time given relative to the session ("yesterday", "last month").

    `statements` hold `{when}` (and `{detail}` when `detail_pool` names a pool in `DETAIL_POOLS`);
    `questions` ask when it happened, `detail_questions` ask for the detail (single-hop), `topic` names it
    (it may hold `{detail}`).
    """

    statements: tuple[str, ...]
    questions: tuple[str, ...]
    mood: str = "good"
    detail_pool: str = ""
    detail_questions: tuple[str, ...] = ()
    topic: str = "it"
    """How the event is referred to afterwards ("the half marathon"), in reactions and later mentions."""


DETAIL_POOLS: dict[str, tuple[str, ...]] = {
    "band": ("Coldplay", "Arctic Monkeys", "The Killers", "Imagine Dragons", "Radiohead", "The Lumineers"),
    "campsite": ("Lake Tahoe", "Yosemite", "Big Sur", "Zion National Park", "Joshua Tree", "Acadia"),
    "friend": FEMALE_NAMES + MALE_NAMES,  # drawn without repeats, so a friend never shares a relative's name
    "charity": (
        "the food bank",
        "a soup kitchen",
        "the animal shelter",
        "a community garden",
        "a youth center",
    ),
    "museum": (
        "the Museum of Modern Art",
        "the Natural History Museum",
        "the Getty Center",
        "the Smithsonian",
    ),
    "cuisine": ("Thai", "Mexican", "Japanese", "Korean", "Moroccan", "French", "Greek"),
    "country": ("Japan", "Portugal", "Iceland", "Peru", "Vietnam", "Morocco", "Norway"),
    "cause": (
        "cancer research",
        "the children's hospital",
        "clean water",
        "animal rescue",
        "literacy programs",
    ),
    "mountain": (
        "Mount Rainier",
        "Mount Washington",
        "Pikes Peak",
        "Mount Whitney",
        "Half Dome",
        "Mount Hood",
    ),
    "tattoo": ("a compass", "a wave", "a sunflower", "a fox", "a hummingbird", "a lighthouse"),
}

EVENTS = (
    EventTemplate(
        statements=(
            "I ran a half marathon {when} and my legs are still sore!",
            "I finished my first half marathon {when}. Thirteen miles, can you believe it?",
        ),
        questions=("When did {name} run a half marathon?", "When did {name} complete a half marathon?"),
        topic="the half marathon",
    ),
    EventTemplate(
        statements=(
            "I went to see {detail} live {when} and it was unreal.",
            "I finally saw {detail} in concert {when}!",
        ),
        questions=("When did {name} see {detail} in concert?", "When did {name} go to a concert?"),
        detail_pool="band",
        detail_questions=("Which band did {name} see live?", "Whose concert did {name} go to?"),
        topic="the {detail} concert",
    ),
    EventTemplate(
        statements=(
            "We went camping at {detail} {when}; the stars were incredible.",
            "I spent a night camping at {detail} {when}.",
        ),
        questions=("When did {name} go camping?", "When did {name} sleep out under the stars?"),
        detail_pool="campsite",
        detail_questions=("Where did {name} go camping?",),
        topic="the camping trip to {detail}",
    ),
    EventTemplate(
        statements=(
            "My best friend {detail} got married {when}, and I cried through the whole ceremony.",
            "I gave a toast at {detail}'s wedding {when}.",
        ),
        questions=("When did {name} attend a wedding?", "When did {name} go to a wedding?"),
        detail_pool="friend",
        detail_questions=("Whose wedding did {name} attend?",),
        topic="{detail}'s wedding",
    ),
    EventTemplate(
        statements=(
            "I sprained my wrist playing volleyball {when}.",
            "I hurt my wrist falling off my bike {when}; it's still swollen.",
        ),
        questions=("When did {name} injure their wrist?", "When did {name} hurt their wrist?"),
        mood="bad",
        topic="your wrist",
    ),
    EventTemplate(
        statements=(
            "I finally passed my driving test {when}!",
            "I got my driver's license {when}, after failing twice.",
        ),
        questions=("When did {name} get their driver's license?", "When did {name} pass the driving test?"),
        topic="the driving test",
    ),
    EventTemplate(
        statements=(
            "I volunteered at {detail} {when}; it was really rewarding.",
            "I spent a few hours helping out at {detail} {when}.",
        ),
        questions=("When did {name} volunteer at {detail}?", "When did {name} do volunteer work?"),
        detail_pool="charity",
        detail_questions=("Where did {name} volunteer?",),
        topic="volunteering at {detail}",
    ),
    EventTemplate(
        statements=(
            "I visited {detail} {when}, and I could have stayed all day.",
            "I spent an afternoon at {detail} {when}.",
        ),
        questions=("When did {name} go to a museum?", "When did {name} visit {detail}?"),
        detail_pool="museum",
        detail_questions=("Which museum did {name} visit?",),
        topic="the visit to {detail}",
    ),
    EventTemplate(
        statements=(
            "I presented my project to the whole company {when} and didn't even stumble.",
            "I gave a big presentation at work {when}; so glad it's over.",
        ),
        questions=(
            "When did {name} give a presentation at work?",
            "When did {name} present to their company?",
        ),
        topic="the big presentation",
    ),
    EventTemplate(
        statements=(
            "I took a {detail} cooking class {when} and learned so much.",
            "I went to a {detail} cooking class {when}, and now I want to cook every night.",
        ),
        questions=("When did {name} take a cooking class?",),
        detail_pool="cuisine",
        detail_questions=(
            "What cuisine did {name}'s cooking class focus on?",
            "What kind of cooking class did {name} take?",
        ),
        topic="the {detail} cooking class",
    ),
    EventTemplate(
        statements=(
            "I flew to {detail} {when} for a short vacation.",
            "I got to visit {detail} {when}; the food alone was worth it.",
        ),
        questions=("When did {name} travel to {detail}?", "When did {name} take a trip to {detail}?"),
        detail_pool="country",
        detail_questions=("Which country did {name} visit on vacation?",),
        topic="the trip to {detail}",
    ),
    EventTemplate(
        statements=(
            "My friends threw me a surprise birthday party {when}!",
            "My coworkers surprised me with a birthday cake {when}, I had no idea.",
        ),
        questions=(
            "When was {name}'s birthday surprise?",
            "When did {name} get surprised for their birthday?",
        ),
        topic="the birthday surprise",
    ),
    EventTemplate(
        statements=(
            "I did a charity bike ride for {detail} {when}.",
            "I rode fifty miles for {detail} {when}, all for charity.",
        ),
        questions=("When did {name} do a charity bike ride?", "When did {name} cycle for charity?"),
        detail_pool="cause",
        detail_questions=("What cause did {name}'s charity ride support?",),
        topic="the charity bike ride",
    ),
    EventTemplate(
        statements=(
            "I lost my phone on the train {when}, what a mess.",
            "I left my phone in a taxi {when} and never got it back.",
        ),
        questions=("When did {name} lose their phone?", "When did {name} misplace their phone?"),
        mood="bad",
        topic="the lost phone",
    ),
    EventTemplate(
        statements=(
            "I got my wisdom teeth pulled {when}, so it's soup for me.",
            "I had my wisdom teeth out {when}; my face is still puffy.",
        ),
        questions=(
            "When did {name} have their wisdom teeth removed?",
            "When did {name} have dental surgery?",
        ),
        mood="bad",
        topic="the wisdom teeth",
    ),
    EventTemplate(
        statements=(
            "I went skydiving {when}! My heart is still racing.",
            "I jumped out of a plane {when}. Skydiving is terrifying and amazing.",
        ),
        questions=("When did {name} go skydiving?", "When did {name} jump out of an airplane?"),
        topic="the skydiving jump",
    ),
    EventTemplate(
        statements=(
            "I hiked {detail} {when}, and the view from the top was worth it.",
            "We made it to the summit of {detail} {when}.",
        ),
        questions=("When did {name} hike {detail}?", "When did {name} reach the top of {detail}?"),
        detail_pool="mountain",
        detail_questions=("Which mountain did {name} hike?",),
        topic="the hike up {detail}",
    ),
    EventTemplate(
        statements=(
            "I ran into my old roommate {detail} at the grocery store {when}.",
            "I bumped into {detail}, my old roommate, at the airport {when}.",
        ),
        questions=(
            "When did {name} run into an old roommate?",
            "When did {name} bump into a former roommate?",
        ),
        detail_pool="friend",
        detail_questions=("Which old roommate did {name} run into?",),
        topic="running into {detail}",
    ),
    EventTemplate(
        statements=(
            "I got a tattoo of {detail} {when}!",
            "I finally got inked {when}: {detail} on my forearm.",
        ),
        questions=("When did {name} get a tattoo?", "When did {name} get inked?"),
        detail_pool="tattoo",
        detail_questions=("What is {name}'s tattoo of?", "What design did {name} get tattooed?"),
        topic="the new tattoo",
    ),
    EventTemplate(
        statements=(
            "I read my poetry at an open mic night {when}.",
            "I performed some of my poems at an open mic {when}; so nervous!",
        ),
        questions=("When did {name} perform at an open mic?", "When did {name} read poetry on stage?"),
        topic="the open mic night",
    ),
    EventTemplate(
        statements=("My trivia group won first prize at the pub quiz {when}!",),
        questions=("When did {name} win a pub quiz?", "When did {name}'s trivia group win first prize?"),
        topic="the pub quiz win",
    ),
    EventTemplate(
        statements=("We had a huge family reunion {when}; forty people in one backyard.",),
        questions=("When did {name} attend a family reunion?",),
        topic="the family reunion",
    ),
)

# A hobby's world: where it is done and a thing it makes or uses. Chat about a hobby (later mentions, hobby
# events, reactions) keeps coming back to these words, so the statement that answers a question about it has
# many look-alikes, as a real conversation that keeps returning to a few themes does.
HOBBY_WORLD: dict[str, tuple[str, str]] = {
    "rock climbing": ("climbing gym", "new harness"),
    "pottery": ("pottery studio", "clay bowl"),
    "gardening": ("community garden", "tomato plants"),
    "birdwatching": ("nature reserve", "pair of binoculars"),
    "knitting": ("yarn shop", "wool scarf"),
    "chess": ("chess club", "wooden chess set"),
    "woodworking": ("wood shop", "walnut side table"),
    "kayaking": ("boathouse", "new paddle"),
    "yoga": ("yoga studio", "yoga mat"),
    "salsa dancing": ("dance studio", "pair of dance shoes"),
    "watercolor painting": ("art studio", "landscape painting"),
    "calligraphy": ("stationery shop", "set of brush pens"),
    "origami": ("craft store", "paper crane"),
    "stargazing": ("observatory", "telescope"),
    "beekeeping": ("apiary", "jar of honey"),
    "fencing": ("fencing club", "fencing mask"),
    "archery": ("archery range", "new bow"),
    "scuba diving": ("dive shop", "wetsuit"),
    "embroidery": ("sewing circle", "embroidered pillow"),
    "bread baking": ("baking class", "sourdough loaf"),
}
HOBBY_EVENTS = (  # slots {hobby} {place} {thing} {when}; asked as "When did X ...?"
    EventTemplate(
        statements=(
            "I went to a {hobby} workshop at the {place} {when}, and I learned more in one day than "
            "in months.",
            "The {place} ran a {hobby} workshop {when}; I almost skipped it but I'm so glad I went.",
        ),
        questions=(
            "When did {name} go to a {hobby} workshop?",
            "When did {name} attend the {hobby} workshop?",
        ),
        topic="the {hobby} workshop",
    ),
    EventTemplate(
        statements=(
            "I finally got my very own {thing} {when}! {Hobby} just got serious.",
            "{When} I came home with a {thing}, my proudest {hobby} moment so far.",
        ),
        questions=("When did {name} get a {thing}?", "When did {name} bring home a {thing}?"),
        topic="your {thing}",
    ),
    EventTemplate(
        statements=(
            "I took my {relation} along to the {place} {when} and taught some {hobby} basics. So fun!",
            "{when} my {relation} joined me at the {place} to give {hobby} a try.",
        ),
        questions=(
            "When did {name} introduce their {relation} to {hobby}?",
            "When did {name} bring their {relation} to the {place}?",
        ),
        topic="{hobby} with your {relation}",
    ),
    EventTemplate(
        statements=(
            "Our {hobby} group met up at the {place} {when} and we stayed until they kicked us out.",
            "I hosted the {hobby} meetup {when}; twelve people showed up at the {place}!",
        ),
        questions=("When did {name} go to a {hobby} meetup?", "When did {name}'s {hobby} group meet?"),
        topic="the {hobby} meetup",
    ),
)

# Later mentions of something already said, by the one who said it: no new fact, but the same words. Real
# friends keep coming back to their work, hobbies, pets, family and big moments (in LoCoMo most turns are
# about the speakers' own lives, and a question's words recur in about fifteen other turns on average), so
# a thread is mentioned many times, each time in other words around the same key words.
HOBBY_MENTIONS = (
    "I spent the whole afternoon on {hobby} and lost track of time completely. It's my happy place.",
    "My friends tease me about how much I talk about {hobby}, but I can't help it!",
    "{Hobby} has been such a good outlet for me; I always feel calmer after a few hours at the {place}.",
    "I was at the {place} again, trying to get better at {hobby}. Still a beginner, but improving!",
    "I can't stop thinking about {hobby}. My next project is a {thing}, wish me luck.",
    "Whenever work gets stressful I remind myself there's {hobby} at the weekend.",
    "Someone at the {place} asked how long I've been doing {hobby} and I realized it's become part of me.",
    "The people at the {place} have become like a second family to me. {Hobby} brought us together.",
    "I watched {hobby} videos last night instead of sleeping. No regrets, I picked up a few tricks.",
    "{Hobby} is teaching me patience, which my family says I always needed.",
    "I love that {hobby} makes me slow down and focus on one thing at a time. It clears my head.",
    "My friends and family all know not to call me when I'm at the {place}. {Hobby} time is sacred!",
    "I keep a little notebook of {hobby} ideas now; half of them are about a {thing}.",
    "I messed up at {hobby} again the other day, but the folks at the {place} just laughed it off with me.",
)
PET_MENTIONS = (
    "{pet} has been extra clingy, following me from room to room.",
    "Sorry if I'm slow to answer, {pet} is sitting on my lap and demanding attention.",
    "I swear {pet} understands every word I say. My {species} is smarter than me some days.",
    "Took {pet} on a long walk around the park; we both needed the fresh air.",
    "My {species} knocked a glass off the table and looked at me like it was my fault.",
    "Coming home to {pet} after a long day is the best feeling in the world.",
    "I bought my {species} a new toy this week and it ignored the toy and played with the box.",
    "{pet} had a checkup at the vet recently and everything looks good. Such a relief!",
    "My family jokes that the {species} is the real boss of the house, and honestly they're right.",
    "I keep taking pictures of {pet} sleeping in funny positions; my phone is full of them.",
)
EVENT_MENTIONS = (
    "I keep thinking about {topic}. It was one of the highlights of my year, honestly.",
    "I finally printed the photos from {topic}, they turned out great.",
    "People at work still ask me about {topic}; I think I've told the story a dozen times.",
    "My family still brings up {topic} at dinner, they love teasing me about it.",
    "Looking back, {topic} taught me a lot about myself.",
    "I was showing my friends the pictures from {topic} last weekend and got all nostalgic.",
)
RELATIVE_MENTIONS = (
    "{relative} says hi, by the way! I told them all about you.",
    "{relative} and I had a long chat on the phone, it really lifted my mood.",
    "Family means everything to me. {relative} always knows how to make me laugh when I'm down.",
    "I had dinner with my {relation} last night and we stayed up talking way too late, like old times.",
    "My {relation} sent me the sweetest message out of nowhere; family really is everything.",
    "I've been trying to call my {relation} more often. Life gets busy, but family comes first.",
    "{relative} gave me some great advice about work and life in general. I'm lucky to have them.",
)
WORK_MENTIONS = (  # about work in general, after the job was said: the same words, no title or workplace
    "Work has been nonstop. My boss keeps piling on projects and I barely have time to breathe.",
    "I had a tough shift and came home completely drained, but my coworkers made it bearable.",
    "Some days my job feels like a calling and some days it's just a job, you know?",
    "I've been thinking about where my career is going. I want to grow, but I don't want to burn out.",
    "A coworker asked me to mentor the new hire, which is flattering and exhausting at the same time.",
    "We finally wrapped up a huge project at work this week, and my whole team went out to celebrate.",
    "Work was calmer than usual today, so I actually took a real lunch break for once.",
    "I got some really nice feedback at work, it made all the long hours feel worth it.",
    "Balancing work and family is hard. I'm trying to leave my job at the door when I get home.",
    "There's a lot of change at work right now and everyone is a bit on edge.",
)
SUPPORT = (  # a second sentence for a listener's reply: warm, about nothing in particular
    "You always find a way to make the best of things.",
    "I really admire how you handle everything.",
    "Your positivity is contagious, you know that?",
    "Keep me posted, I want to hear how it goes!",
    "That's what I love about you, you never give up.",
    "Life is so much better with people like you around.",
)

# Conversation glue. {other} is the person addressed, {owner} the one about to share news.
GREETINGS = (
    "Hey {other}! How's it going? It feels like ages since we caught up.",
    "Hi {other}, long time no talk! I have so much to tell you.",
    "Good to hear from you, {other}. I was just thinking about our chat the other time.",
    "Hey {other}, got a minute to chat? My week has been a rollercoaster.",
    "Hi {other}! How was your week? Mine flew by.",
)
GREETING_REPLIES = (
    "Hey {other}! Doing well, thanks. Busy as always, but good busy. What's new with you?",
    "Hi! Pretty good, you? I've been meaning to message you for days.",
    "Good to hear from you too! Things have been hectic here, but I'm hanging in there.",
    "Always, {other}. What's up? I'm all ears, I just made a cup of tea.",
    "Hey! Busy week, but good. I'm so glad you reached out.",
)
CLOSINGS = (
    "I should get going, talk soon! Thanks for listening, it really means a lot.",
    "Okay, I need to run. Catch you later! Let's not wait so long next time.",
    "This was fun, let's chat again soon. Take care of yourself, okay?",
    "Gotta go make dinner, bye for now! Say hi to everyone for me.",
    "Talk to you later, {other}! It's always so good to catch up with you.",
)
CLOSING_REPLIES = (
    "Bye, {other}! Take care. Can't wait to hear how everything goes.",
    "Talk soon! Thanks for the chat, you always cheer me up.",
    "See you, {other}! Have a wonderful rest of your day.",
    "Sounds good, have a great night! Keep me posted on everything.",
)
PROMPTS = (
    "So what's new with you, {owner}? I feel like I've been talking about myself the whole time.",
    "Anything new on your end, {owner}? Tell me everything.",
    "How have you been, {owner}? I've missed our chats.",
    "Enough about me. Tell me what's been going on with you!",
    "What else is new? I want to hear all about your life.",
)
FILLERS = (
    "Ha, true. You always know what to say.",
    "Totally agree with you on that one.",
    "Right? I'm glad I'm not the only one who thinks so.",
    "Fair enough. Life has a funny way of working out.",
    "I hear you. It's all about balance, isn't it?",
)
OPENERS = (  # lead-ins to news; no time phrase, so a statement's own {when} stays the only one
    "Since we talked, a lot has happened!",
    "Oh, I have to tell you something.",
    "You won't believe this.",
    "Okay, so here's my news.",
    "Thanks, {other}!",
    "Honestly, it's been quite a ride.",
)
ELABORATIONS: dict[str, tuple[str, ...]] = {
    "good": (
        "It made me so happy and I'm still smiling about it.",
        "It's the kind of thing that reminds me to appreciate the little things.",
        "I feel like I'm finally finding my footing.",
        "I wish you could have been there with me!",
    ),
    "bad": (
        "Not my finest moment, but I'm trying to laugh about it.",
        "It has been a rough stretch, to be honest.",
        "I'm trying to stay positive about the whole thing.",
    ),
    "neutral": (
        "Just thought you'd want to know what's going on in my life.",
        "It's funny how life keeps changing.",
        "Anyway, that's my update.",
    ),
}
FOLLOW_UPS = (
    "How about you?",
    "What have you been up to?",
    "Have you ever done anything like that?",
    "Anyway, how's everything on your side?",
)
REACTIONS: dict[str, tuple[str, ...]] = {  # {topic}: how the listener refers to what was just said
    "good": (
        "That's amazing, congrats! {Topic} sounds like such a wonderful experience.",
        "Love that for you, {other}! I'm so proud of you. Tell me more about {topic} sometime.",
        "Wow, good for you! {Topic} must have been so special. You deserve it.",
        "So happy to hear that! I can tell {topic} means a lot to you.",
    ),
    "bad": (
        "Oh no, I'm sorry to hear that. {Topic} sounds really stressful; let me know if I can help.",
        "Ugh, that's rough. Hope you feel better soon, and don't let {topic} get you down.",
        "Yikes! Take care of yourself, {other}. {Topic} is the last thing you needed.",
    ),
    "neutral": (
        "Oh nice, tell me more sometime! {Topic} sounds interesting.",
        "Interesting! How's {topic} going so far?",
        "That sounds about right for you, {other}. I love hearing about {topic}.",
    ),
}
CAPTIONS = (  # LoCoMo's rendering of an image turn; shown content is never a fact that is asked about
    "a photo of a group of friends smiling at a table",
    "a photo of a sunset over a lake",
    "a photo of a cup of coffee next to a notebook",
    "a photo of a city street at night",
    "a photo of a bouquet of flowers in a vase",
    "a photo of a trail through the woods",
)
PHOTO_LEADS = ("Here's a pic!", "Look at this photo.", "Check this out.", "I took a picture, look.")

SMALL_TALK = (  # (opener, response); slots {food} {show} {movie} {weather} {drink} {city} {other}
    ("The weather here has been so {weather} this week.", "Same here, I've barely left the house."),
    ("Have you watched {show} yet?", "Not yet! Everyone keeps telling me to."),
    ("I'm obsessed with {show}, I binged half a season at once.", "No spoilers, I'm still on episode one."),
    ("I had the best {food} for lunch today.", "Now I'm hungry. Where did you get it?"),
    ("What are you up to this weekend?", "Probably nothing much, just catching up on sleep."),
    ("Did you see {movie}?", "Yes! The ending caught me off guard."),
    (
        "I'm trying to drink less coffee and more {drink}.",
        "Good luck with that, I could never give up coffee.",
    ),
    ("Traffic this morning was a nightmare.", "Ugh, tell me about it. I should start leaving earlier."),
    ("I saw on the news that {city} got hit by a big storm.", "Yikes, I hope everyone there is okay."),
    (
        "Do you have any good podcast recommendations?",
        "I've been into a true crime one, I'll send you the link.",
    ),
    ("I finally cleaned out my closet, it feels amazing.", "I really need to do that too."),
    (
        "It's been raining nonstop, I forgot what the sun looks like.",
        "Ha, same. I need a vacation somewhere warm.",
    ),
    (
        "I tried making {food} at home but it was a disaster.",
        "At least you tried! Takeout is always an option.",
    ),
    ("My phone's battery dies so fast these days.", "Mine too, I carry a charger everywhere."),
    ("Any plans for the holidays?", "Not yet, I'm still figuring it out."),
    ("I've been sleeping terribly lately.", "That's the worst. Have you tried no screens before bed?"),
    ("Have you tried that new {food} place everyone's talking about?", "No, but it's on my list!"),
    ("It's so {weather} out, I can't decide what to wear.", "Layers, always layers."),
    ("I rewatched {movie} and it totally holds up.", "I need to rewatch it too."),
    ("How's your week going, {other}?", "Busy, but hanging in there."),
    ("It poured rain yesterday and I got completely soaked.", "Oh no! Did you at least have an umbrella?"),
    ("I stayed up way too late watching {show}.", "Worth it though, right?"),
    ("The grocery store was packed today.", "Must be everyone stocking up before the weekend."),
    ("I read that {city} is getting a new light rail line.", "About time, the buses there are so slow."),
)
SMALL_TALK_TAILS = (  # appended to small talk: chattier turns that state nothing about anyone
    "I've been trying to slow down and enjoy things more.",
    "Life has been a bit of a blur, to be honest.",
    "Sometimes you just need a break from everything.",
    "It's the little things that keep me going.",
    "I keep telling myself to get more sleep, and then I don't.",
    "You know how it is.",
)
SMALL_TALK_SLOTS: dict[str, tuple[str, ...]] = {
    "food": (
        "tacos",
        "ramen",
        "pad thai",
        "lasagna",
        "pho",
        "sushi",
        "dumplings",
        "falafel",
        "curry",
        "pizza",
    ),
    "show": ("The Bear", "Severance", "Ted Lasso", "The Crown", "Stranger Things", "Succession", "Bake Off"),
    "movie": ("Dune", "Oppenheimer", "Barbie", "Top Gun: Maverick", "Past Lives", "Spider-Verse"),
    "weather": ("rainy", "freezing", "humid", "windy", "gorgeous", "foggy"),
    "drink": ("chai", "green tea", "lemonade", "hot chocolate", "sparkling water"),
    "city": CITIES,
}
