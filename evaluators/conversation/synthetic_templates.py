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
# {relation} {relative}.
JOB_STATEMENTS = (
    "I started as {a_title} at {workplace} and I'm loving it so far.",
    "Work at {workplace} has been hectic; being {a_title} there is never boring.",
    "I've been working as {a_title} at {workplace} for a few years now.",
    "My shift at {workplace} ran long again. The life of {a_title}, I guess.",
)
JOB_CHANGE_STATEMENTS = (
    "Big news: I quit and took a new job as {a_title} at {workplace}!",
    "I made a career switch! I'm {a_title} at {workplace} now.",
    "First week as {a_title} at {workplace} is done, and I think leaving my old job was the right call.",
)
CITY_STATEMENTS = (
    "Rent here in {city} keeps going up, but I can't imagine living anywhere else.",
    "I love living in {city}, there's always something going on.",
    "My apartment in {city} finally has working heat again.",
    "Home is {city} for me, and it's lovely this time of year.",
)
MOVE_STATEMENTS = (
    "We finally finished moving to {city}! Still unpacking boxes.",
    "I relocated to {city} and so far I love the new neighborhood.",
    "Greetings from my new place in {city}; the move went smoothly.",
)
PET_STATEMENTS = (
    "My {species} {pet} chewed through another charging cable.",
    "{pet}, my {species}, has been keeping me company while I work.",
    "I took my {species} {pet} for a checkup and everything looks good.",
    "{pet} my {species} learned a new trick, I'm so proud.",
)
ADOPTION_STATEMENTS = (  # "two pets" is the knowledge-update answer, so it must be said here
    "We just brought home a {species} named {pet}, so now I have two pets!",
    "Big news: I adopted a {species} called {pet}. That makes two pets in my place now.",
)
RELATIVE_STATEMENTS = (
    "My {relation} {relative} came over for dinner and we talked for hours.",
    "I spent the afternoon helping my {relation} {relative} move some furniture.",
    "My {relation} {relative} called me out of the blue, it was so nice to catch up.",
    "I took my {relation} {relative} out for lunch; we should do that more often.",
)
RELATIVE_CITY_STATEMENTS = (  # name only, no relation: linking the two is the multi-hop
    "{relative} just moved to {city} for work, so I have an excuse to visit.",
    "{relative} finally settled in {city}, and the new apartment looks lovely.",
    "I'm flying out to see {relative}, who lives in {city} now.",
)
HOBBY_STATEMENTS = (
    "I've gotten really into {hobby} lately, it's so relaxing.",
    "Guess what, I signed up for a {hobby} class at the community center.",
    "{Hobby} has become my favorite way to unwind after a long day.",
    "These days I spend most of my free time on {hobby}.",
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
    `questions` ask when it happened, `detail_questions` ask for the detail (single-hop).
    """

    statements: tuple[str, ...]
    questions: tuple[str, ...]
    mood: str = "good"
    detail_pool: str = ""
    detail_questions: tuple[str, ...] = ()


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
    ),
    EventTemplate(
        statements=(
            "I went to see {detail} live {when} and it was unreal.",
            "I finally saw {detail} in concert {when}!",
        ),
        questions=("When did {name} see {detail} in concert?", "When did {name} go to a concert?"),
        detail_pool="band",
        detail_questions=("Which band did {name} see live?", "Whose concert did {name} go to?"),
    ),
    EventTemplate(
        statements=(
            "We went camping at {detail} {when}; the stars were incredible.",
            "I spent a night camping at {detail} {when}.",
        ),
        questions=("When did {name} go camping?", "When did {name} sleep out under the stars?"),
        detail_pool="campsite",
        detail_questions=("Where did {name} go camping?",),
    ),
    EventTemplate(
        statements=(
            "My best friend {detail} got married {when}, and I cried through the whole ceremony.",
            "I gave a toast at {detail}'s wedding {when}.",
        ),
        questions=("When did {name} attend a wedding?", "When did {name} go to a wedding?"),
        detail_pool="friend",
        detail_questions=("Whose wedding did {name} attend?",),
    ),
    EventTemplate(
        statements=(
            "I sprained my wrist playing volleyball {when}.",
            "I hurt my wrist falling off my bike {when}; it's still swollen.",
        ),
        questions=("When did {name} injure their wrist?", "When did {name} hurt their wrist?"),
        mood="bad",
    ),
    EventTemplate(
        statements=(
            "I finally passed my driving test {when}!",
            "I got my driver's license {when}, after failing twice.",
        ),
        questions=("When did {name} get their driver's license?", "When did {name} pass the driving test?"),
    ),
    EventTemplate(
        statements=(
            "I volunteered at {detail} {when}; it was really rewarding.",
            "I spent a few hours helping out at {detail} {when}.",
        ),
        questions=("When did {name} volunteer at {detail}?", "When did {name} do volunteer work?"),
        detail_pool="charity",
        detail_questions=("Where did {name} volunteer?",),
    ),
    EventTemplate(
        statements=(
            "I visited {detail} {when}, and I could have stayed all day.",
            "I spent an afternoon at {detail} {when}.",
        ),
        questions=("When did {name} go to a museum?", "When did {name} visit {detail}?"),
        detail_pool="museum",
        detail_questions=("Which museum did {name} visit?",),
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
    ),
    EventTemplate(
        statements=(
            "I flew to {detail} {when} for a short vacation.",
            "I got to visit {detail} {when}; the food alone was worth it.",
        ),
        questions=("When did {name} travel to {detail}?", "When did {name} take a trip to {detail}?"),
        detail_pool="country",
        detail_questions=("Which country did {name} visit on vacation?",),
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
    ),
    EventTemplate(
        statements=(
            "I did a charity bike ride for {detail} {when}.",
            "I rode fifty miles for {detail} {when}, all for charity.",
        ),
        questions=("When did {name} do a charity bike ride?", "When did {name} cycle for charity?"),
        detail_pool="cause",
        detail_questions=("What cause did {name}'s charity ride support?",),
    ),
    EventTemplate(
        statements=(
            "I lost my phone on the train {when}, what a mess.",
            "I left my phone in a taxi {when} and never got it back.",
        ),
        questions=("When did {name} lose their phone?", "When did {name} misplace their phone?"),
        mood="bad",
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
    ),
    EventTemplate(
        statements=(
            "I went skydiving {when}! My heart is still racing.",
            "I jumped out of a plane {when}. Skydiving is terrifying and amazing.",
        ),
        questions=("When did {name} go skydiving?", "When did {name} jump out of an airplane?"),
    ),
    EventTemplate(
        statements=(
            "I hiked {detail} {when}, and the view from the top was worth it.",
            "We made it to the summit of {detail} {when}.",
        ),
        questions=("When did {name} hike {detail}?", "When did {name} reach the top of {detail}?"),
        detail_pool="mountain",
        detail_questions=("Which mountain did {name} hike?",),
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
    ),
    EventTemplate(
        statements=(
            "I got a tattoo of {detail} {when}!",
            "I finally got inked {when}: {detail} on my forearm.",
        ),
        questions=("When did {name} get a tattoo?", "When did {name} get inked?"),
        detail_pool="tattoo",
        detail_questions=("What is {name}'s tattoo of?", "What design did {name} get tattooed?"),
    ),
    EventTemplate(
        statements=(
            "I read my poetry at an open mic night {when}.",
            "I performed some of my poems at an open mic {when}; so nervous!",
        ),
        questions=("When did {name} perform at an open mic?", "When did {name} read poetry on stage?"),
    ),
    EventTemplate(
        statements=("My trivia group won first prize at the pub quiz {when}!",),
        questions=("When did {name} win a pub quiz?", "When did {name}'s trivia group win first prize?"),
    ),
    EventTemplate(
        statements=("We had a huge family reunion {when}; forty people in one backyard.",),
        questions=("When did {name} attend a family reunion?",),
    ),
)

# Conversation glue. {other} is the person addressed, {owner} the one about to share news.
GREETINGS = (
    "Hey {other}! How's it going?", "Hi {other}, long time no talk!", "Good to hear from you, {other}.",
    "Hey {other}, got a minute to chat?", "Hi {other}! How was your week?",
)  # fmt: skip
GREETING_REPLIES = (
    "Hey {other}! Doing well, thanks.", "Hi! Pretty good, you?", "Good to hear from you too!",
    "Always, {other}. What's up?", "Hey! Busy week, but good.",
)  # fmt: skip
CLOSINGS = (
    "I should get going, talk soon!", "Okay, I need to run. Catch you later!",
    "This was fun, let's chat again soon.", "Gotta go make dinner, bye for now!",
    "Talk to you later, {other}!",
)  # fmt: skip
CLOSING_REPLIES = (
    "Bye, {other}! Take care.", "Talk soon!", "See you, {other}!", "Sounds good, have a great night!",
)  # fmt: skip
PROMPTS = (
    "So what's new with you, {owner}?", "Anything new on your end, {owner}?", "How have you been, {owner}?",
    "Tell me what's been going on with you.", "What else is new?",
)  # fmt: skip
FILLERS = (
    "Ha, true.", "Totally.", "Right?", "Fair enough.", "I hear you.", "Good point.", "Haha, yes.",
    "Same here!",
)  # fmt: skip
REACTIONS: dict[str, tuple[str, ...]] = {
    "good": (
        "That's amazing, congrats!",
        "Love that for you!",
        "Wow, good for you!",
        "So happy to hear that!",
    ),
    "bad": (
        "Oh no, I'm sorry to hear that.",
        "Ugh, that's rough. Hope you feel better.",
        "Yikes! Take care.",
    ),
    "neutral": ("Oh nice, tell me more sometime.", "Interesting! How's that going?", "Sounds about right!"),
}

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
