"""The words of the assistant-style synthetic data: task topics with the assistant's advice, and user facts.

Kept apart from `synthetic_assistant.py` so its logic reads in one sitting. Contracts the generator relies on
(and `tests/test_synthetic.py` checks on the output):
- a fact clause contains its slot values verbatim, so a gold answer's words appear in its evidence turn (a
  count or a total of a multi-session question is computed from its evidence turns instead);
- an event clause contains `{when}` exactly once, and no other text of a user turn holds a relative time;
- requests, follow-ups and advice never state a fact about the user, so abstention questions stay
  unanswerable.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Topic:
    """A kind of task the user brings to the assistant: how they ask, and the advice it can give.

    `tips` are (key, sentence) pairs: the assistant lists them as "N. Key: sentence"; a question about
    what the assistant said asks for one of the keys by its position in the list.
    """

    name: str
    requests: tuple[str, ...]
    tips: tuple[tuple[str, str], ...]


TOPICS = (
    Topic(
        "meal prep",
        (
            "Can you suggest some healthy meal prep ideas for busy weeknights?",
            "I want to cook more at home instead of ordering takeout. Where should I start with meal prep?",
            "What are some easy make-ahead lunches that stay fresh for a few days?",
        ),
        (
            ("Sheet pan dinners", "Roast a protein and two vegetables on one tray so cleanup takes minutes."),
            ("Grain bowls", "Cook a big batch of rice or quinoa and top it differently each day."),
            (
                "Overnight oats",
                "Mix oats, milk and fruit in jars the night before for a grab-and-go breakfast.",
            ),
            ("Soup in bulk", "A large pot of lentil or vegetable soup freezes well in single portions."),
            ("Marinated chicken thighs", "They stay juicy when reheated, unlike breast meat."),
            ("Chopped vegetable kits", "Wash and cut vegetables on Sunday so weeknight cooking is assembly."),
            ("Egg muffins", "Whisk eggs with spinach and cheese and bake them in a muffin tin."),
            ("Mason jar salads", "Put the dressing at the bottom and the greens on top so nothing wilts."),
            ("Slow cooker chili", "Beans, tomatoes and spices simmer all day with no attention at all."),
            ("Freezer burritos", "Wrap rice, beans and cheese tightly in foil and reheat them in minutes."),
        ),
    ),
    Topic(
        "travel planning",
        (
            "I'm planning a trip and feel overwhelmed. How should I organize my itinerary?",
            "What are some tips for finding cheaper flights and accommodation?",
            "Can you help me figure out what to pack for a two-week trip with only a carry-on?",
        ),
        (
            ("Flexible dates", "Searching a whole month of fares often reveals much cheaper days to fly."),
            ("Packing cubes", "They keep clothes compressed and make living out of a suitcase easier."),
            ("Offline maps", "Download the map of your destination so you can navigate without data."),
            ("Travel insurance", "A basic policy covers cancellations and medical costs abroad."),
            ("Shoulder season", "Traveling just before or after peak season means fewer crowds."),
            ("Local transit passes", "Multi-day passes usually pay for themselves within two days."),
            ("A shared itinerary document", "Keep bookings and addresses in one document everyone can see."),
            ("Neighborhood research", "Stay near a transit line rather than right in the tourist center."),
            ("Copies of documents", "Keep photos of your passport and bookings in case anything is lost."),
            ("One rest day", "Leave a day with nothing planned so the trip does not feel rushed."),
        ),
    ),
    Topic(
        "fitness training",
        (
            "I want to get stronger but I only have three hours a week. Can you suggest a training plan?",
            "How do I avoid injuries when I increase my running mileage?",
            "What should a beginner know about strength training at home?",
        ),
        (
            ("Progressive overload", "Add a little weight or a few repetitions each week, never both."),
            ("Compound lifts", "Squats, deadlifts and presses train many muscles in little time."),
            ("Rest days", "Muscles rebuild between sessions, so recovery is part of training."),
            ("The ten percent rule", "Raise weekly running distance by no more than ten percent."),
            ("Dynamic warm-ups", "Leg swings and lunges prepare joints better than static stretching."),
            ("Protein timing", "Spread protein across meals to support muscle repair."),
            ("A training log", "Writing down sets and times shows progress you would otherwise miss."),
            ("Mobility work", "Ten minutes of hip and shoulder mobility keeps your form clean."),
            ("Sleep", "Most recovery happens during sleep, so aim for seven to nine hours."),
            ("Deload weeks", "Every fourth or fifth week, train lighter to let your body catch up."),
        ),
    ),
    Topic(
        "personal finance",
        (
            "Can you help me build a monthly budget that I will actually stick to?",
            "What is a sensible way to start saving for retirement?",
            "How can I pay off my credit card debt faster?",
        ),
        (
            (
                "The fifty-thirty-twenty split",
                "Half for needs, thirty percent for wants and twenty for saving.",
            ),
            ("An emergency fund", "Three to six months of expenses protects you from surprises."),
            ("Automatic transfers", "Move savings out on payday so you never see the money."),
            ("The avalanche method", "Pay the highest-interest debt first to save the most money."),
            ("Subscription audit", "Cancel services you have not used in the past month."),
            ("Index funds", "Low-cost broad funds beat most actively managed ones over time."),
            ("Employer matching", "Contribute at least enough to get the full match; it is free money."),
            ("Sinking funds", "Save a little each month for known yearly costs like insurance."),
            ("A spending diary", "Tracking every purchase for a month shows where money leaks."),
            ("Cash envelopes", "Putting cash for groceries in an envelope makes overspending visible."),
        ),
    ),
    Topic(
        "home organization",
        (
            "My apartment feels cluttered all the time. How do I get organized?",
            "Can you give me a system for keeping the kitchen tidy?",
            "What's the best way to organize a small closet?",
        ),
        (
            ("One in, one out", "Whenever something new comes in, something old leaves."),
            ("Clear bins with labels", "You find things faster when you can see what is inside."),
            ("A ten-minute reset", "Tidy for ten minutes every evening so mess never piles up."),
            ("Vertical storage", "Shelves and hooks use wall space that is otherwise wasted."),
            ("A donation box", "Keep a box by the door and drop things in as you find them."),
            ("Zones", "Give every activity its own area so things stay where they are used."),
            ("Drawer dividers", "Small dividers stop drawers from turning into junk piles."),
            ("The four-box method", "Sort items into keep, donate, sell and recycle."),
            ("Seasonal rotation", "Store out-of-season clothes so the closet holds only what you wear."),
            ("A landing strip", "A tray by the entrance catches keys, mail and wallets."),
        ),
    ),
    Topic(
        "gardening",
        (
            "I'd like to start a small vegetable garden on my balcony. What should I grow?",
            "How often should I water my plants, and how do I know if I'm overdoing it?",
            "What are some tips for keeping pests away from a garden without chemicals?",
        ),
        (
            ("Cherry tomatoes", "They thrive in containers and produce fruit all summer."),
            ("Drip irrigation", "A simple drip line waters roots directly and saves water."),
            ("Companion planting", "Basil next to tomatoes is said to repel some insects."),
            ("Mulch", "A layer of straw or bark keeps soil moist and blocks weeds."),
            ("The finger test", "Water only when the top inch of soil feels dry."),
            ("Neem oil", "A diluted spray controls aphids without harsh chemicals."),
            ("Compost", "Kitchen scraps turn into rich soil in a few months."),
            ("Herbs on the windowsill", "Mint, chives and parsley grow well indoors."),
            ("Raised beds", "They drain well and are easier on your back."),
            ("Succession sowing", "Sow a few seeds every two weeks for a steady harvest."),
        ),
    ),
    Topic(
        "language learning",
        (
            "I'm trying to learn Spanish on my own. How can I stay consistent?",
            "What are the best ways to improve my listening comprehension in a new language?",
            "Can you recommend a study routine for learning vocabulary efficiently?",
        ),
        (
            ("Spaced repetition", "Flashcard apps show each word just before you would forget it."),
            ("Language exchange", "Trade conversation time with a native speaker who is learning English."),
            ("Podcasts for learners", "Slow, clear speech trains your ear before native-speed audio."),
            ("Shadowing", "Repeat sentences right after a speaker to practise rhythm and sound."),
            ("A daily streak", "Fifteen minutes every day beats two hours once a week."),
            ("Graded readers", "Books written for learners build reading speed without frustration."),
            ("Labeling your home", "Sticky notes on objects teach everyday words."),
            ("Journaling", "Write three sentences a day about what you did."),
            ("Subtitled series", "Watch with subtitles in the target language, not in English."),
            ("A grammar notebook", "Collect example sentences for each rule you learn."),
        ),
    ),
    Topic(
        "job search",
        (
            "Can you help me improve my resume? I'm not getting any callbacks.",
            "How should I prepare for a behavioral interview?",
            "What's a good way to network when I don't know anyone in my target industry?",
        ),
        (
            (
                "Quantified achievements",
                "Numbers like 'cut costs by twenty percent' stand out to recruiters.",
            ),
            ("The STAR method", "Describe the situation, task, action and result for each story."),
            ("Tailored keywords", "Mirror the wording of the job posting so screening software finds you."),
            ("Informational interviews", "Ask people for twenty minutes to learn about their work."),
            ("A portfolio", "Show real examples of your work instead of only describing it."),
            ("Thank-you notes", "A short note after an interview keeps you in the interviewer's mind."),
            ("Mock interviews", "Practising out loud with a friend exposes weak answers."),
            ("A one-page resume", "Recruiters skim, so keep only what matters for this role."),
            ("Alumni networks", "People from your school are often happy to help."),
            ("Questions for the interviewer", "Prepare three thoughtful questions about the team."),
        ),
    ),
    Topic(
        "photography",
        (
            "I just got into photography. How do I take sharper photos?",
            "Can you explain how to take better pictures in low light?",
            "What are some composition tips to make my photos more interesting?",
        ),
        (
            ("The rule of thirds", "Place the subject off-center along the grid lines."),
            ("Golden hour", "The hour after sunrise and before sunset gives soft, warm light."),
            ("A tripod", "It removes camera shake for long exposures."),
            ("Leading lines", "Roads and fences draw the eye into the picture."),
            ("Shooting in RAW", "RAW files keep more detail for editing."),
            ("A fast prime lens", "A wide aperture lets in more light and blurs the background."),
            ("Back-button focus", "Separating focus from the shutter gives more control."),
            ("Bracketing", "Take several exposures and pick the best one later."),
            ("Negative space", "Empty areas around a subject make it stand out."),
            ("Editing presets", "Consistent presets give a set of photos a common look."),
        ),
    ),
    Topic(
        "productivity",
        (
            "I keep procrastinating on important work. Any strategies that actually help?",
            "How can I manage my time better when I have too many projects?",
            "What's a good morning routine for staying focused all day?",
        ),
        (
            ("The Pomodoro technique", "Work for twenty-five minutes, then take a five-minute break."),
            ("Time blocking", "Give every task a slot in your calendar instead of a to-do list."),
            ("The two-minute rule", "If something takes less than two minutes, do it right away."),
            ("A weekly review", "Spend half an hour each Friday planning the next week."),
            ("Eat the frog", "Do the hardest task first, before the day gets busy."),
            ("Notification batching", "Check messages at set times instead of constantly."),
            ("A done list", "Writing down what you finished builds momentum."),
            ("Single-tasking", "Switching between tasks costs more time than it seems."),
            ("The Eisenhower matrix", "Sort tasks by urgency and importance and drop the rest."),
            ("A shutdown ritual", "End the workday by writing tomorrow's first task."),
        ),
    ),
)

ANSWER_OPENINGS = (
    "I'm glad you're thinking about {topic}! Here are my suggestions:",
    "I'd be happy to help with {topic}. Here's what I would try:",
    "Great question! Here are some ideas that work well for {topic}:",
    "Happy to help with {topic}. Here are a few approaches you could try:",
    "There are many ways to approach {topic}, but these tend to make the biggest difference:",
    "Of course! Here is a list of suggestions for {topic}, roughly in order of impact:",
)
ANSWER_CONTEXT = (  # the second sentence of an opening
    "The right mix depends on your schedule, your budget and how much time you want to invest.",
    "None of these require special equipment or a big upfront commitment.",
    "I've grouped them so you can start with the quick wins and build from there.",
    "It helps to pick one or two to start with rather than trying everything at once.",
)
ANSWER_DETAILS = (
    "The key is to keep it simple enough that you actually do it.",
    "If it feels like too much, scale it down instead of skipping it.",
    "Give yourself a reminder at the same time each week so it becomes routine.",
    "Small adjustments here tend to add up over a few months.",
    "It is also a good way to notice what is and isn't working for you.",
    "Plenty of free guides and videos cover this in more depth if you are curious.",
    "This works well even on a busy schedule.",
    "Start small and adjust as you go.",
    "Many people find this is the easiest habit to keep.",
    "It takes a little setup, but it pays off quickly.",
    "You can combine this with the other suggestions on this list.",
    "Try it for two weeks before deciding whether it suits you.",
)
FIRST_PERSON_DETAILS = (  # now and then the assistant speaks for itself, as real ones do
    "I'd recommend starting with this one if you only pick one thing.",
    "I find this makes the biggest difference for most people.",
    "As I mentioned, the details matter less than doing it regularly.",
)
SUB_POINTS = (  # an indented line under a suggestion, with no label
    "   - Set aside a specific time for it so it doesn't slip.",
    "   - Write down how it went so you can adjust next time.",
    "   - Don't worry about getting it perfect the first time.",
    "   - Ask a friend to join you; it is easier to stick with together.",
    "   - Check back after a month and see what changed.",
    "   - Keep whatever you need for it in one place.",
)
ANSWER_CLOSINGS = (
    "Remember that consistency matters more than perfection. Let me know if you'd like more detail on any "
    "of these points, or if you want me to tailor the plan to your situation.",
    "Everyone's situation is different, so feel free to pick the two or three ideas that fit you best. I'm "
    "happy to go deeper on any of them.",
    "I hope this helps! If you tell me more about your constraints, I can turn this into a "
    "step-by-step plan.",
)
FOLLOW_UPS = (
    "Thanks, that's really helpful! Could you give me a few more ideas along those lines?",
    "This is great. Can you suggest some other options I might not have thought of?",
    "Interesting, I hadn't considered some of these. What else would you recommend?",
    "Thanks! I'll try a couple of these. Are there any other tips you'd add?",
)
USER_CONTEXT = (  # chat around a request; states nothing about the user that a question asks
    "I've been thinking about this for a while and I'd like to finally get it sorted.",
    "I tried figuring it out on my own but there is so much conflicting advice online.",
    "I want something practical that fits into a normal week, nothing too elaborate.",
    "Please keep it simple, I tend to get overwhelmed when there are too many options.",
    "I'm a bit of a beginner here, so any explanation helps.",
    "My friends keep giving me different advice, so I'd love a clear answer.",
)
BACKGROUND = (  # said in passing like facts, about the same things, but never with a value that is asked
    "my commute has been awful with all the construction",
    "work has been really hectic, my team is swamped",
    "I've been trying to read more books instead of scrolling",
    "I love trying new kitchen gadgets even though my counter is full",
    "day trips are my favorite way to recharge",
    "I keep meaning to practise more with the community band",
    "my cat has been waking me up at five every morning",
    "I've been saving up for a trip but it's slow going",
    "my collection keeps growing and I'm running out of space",
    "I finally have a free weekend coming up",
    "my sister keeps telling me to take a break",
    "I've been watching a lot of online courses lately",
)
PASSING = (
    "By the way, {fact}.",
    "Oh, and {fact}.",
    "Just so you know, {fact}.",
    "{Fact}, so this is on my mind.",
)
"""How a fact rides along in a request, said in passing."""

# User facts: (clause, question templates, answer). Slots are filled from the pools below. The first question
# reuses the clause's words; the second says it partly in other words.
SINGLE_FACTS = (
    (
        "my daily commute to work is {minutes} minutes each way",
        ("How long is my daily commute to work?", "How long does it take me to get to work?"),
        "{minutes} minutes",
    ),
    (
        "my cat {pet} keeps knocking things off my desk",
        ("What is the name of my cat?", "What do I call the pet that keeps getting onto my desk?"),
        "{pet}",
    ),
    (
        "I got my new running shoes at {store}",
        ("Where did I buy my new running shoes?", "Which shop did my new pair of sneakers come from?"),
        "{store}",
    ),
    (
        "I did my degree in {field} a few years back",
        ("What did I study for my degree?", "What was my major when I got my degree?"),
        "{field}",
    ),
    (
        "my sister {sibling} is visiting next month",
        ("What is my sister's name?", "Which sister of mine is coming to stay?"),
        "{sibling}",
    ),
    (
        "I've been playing the {instrument} in a community band",
        ("Which instrument do I play in the community band?", "What do I perform on with my local band?"),
        "{instrument}",
    ),
    (
        "my team at work uses {software} for everything",
        ("Which software does my team at work use?", "What tool does my team rely on to track tasks?"),
        "{software}",
    ),
    (
        "the coffee shop I always work from is called {cafe}",
        (
            "What is the name of the coffee shop I work from?",
            "Which coffee place do I usually go to with my laptop?",
        ),
        "{cafe}",
    ),
)
ABSENT_QUESTIONS = (
    "What is the name of my dog?",
    "How long is my commute to the gym?",
    "What is my brother's name?",
    "Which car dealership did I buy my car from?",
    "What is the name of my yoga teacher?",
    "Which hotel did I stay at in Lisbon?",
)
"""Asked in the user's voice about something never said: the right answer is that it is not known."""

PREFERENCE_AGAIN = (  # a preference often comes up twice in its session
    "I really do like working with {key}",
    "like I said, {key} works best for me",
)
PREFERENCES = (  # (clause, question, key): the question asks for advice that should build on `key`
    (
        "I've been editing my videos with {tool} and I really enjoy it",
        "Can you recommend some resources to learn more about video editing?",
        "{tool}",
    ),
    (
        "I only cook with a {appliance} these days because it's so convenient",
        "Any ideas for quick dinners this week?",
        "{appliance}",
    ),
    (
        "I prefer {genre} novels over anything else",
        "Can you recommend something to read on my vacation?",
        "{genre}",
    ),
    (
        "I've been doing my workouts with {app}, which I like a lot",
        "How can I stay motivated to exercise this month?",
        "{app}",
    ),
)
COUNTERS = (  # (clause with {count}, questions): the count changes later; a question asks for the latest
    # (the first question reuses the clause's words, the second partly other words)
    (
        "I've completed {count} videos of the {series} course so far",
        (
            "How many videos of the {series} course have I completed so far?",
            "How many lessons of the {series} course have I watched by now?",
        ),
    ),
    (
        "I've saved {count} dollars for my trip to {country}",
        (
            "How much have I saved for my trip to {country}?",
            "How much money have I put aside for visiting {country}?",
        ),
    ),
    (
        "I've read {count} books this year, which is a record for me",
        ("How many books have I read this year?", "How many books have I gotten through this year?"),
    ),
    (
        "my collection is up to {count} vintage postcards now",
        (
            "How many vintage postcards are in my collection?",
            "How many postcards does my vintage collection hold?",
        ),
    ),
)
EVENTS = (  # (clause with {when}, question, name): temporal questions ask when, which came first, or the days
    # between two of them
    ("I ran a charity 5k {when}", "When did I run the charity 5k?", "the charity 5k"),
    (
        "I had a job interview at {company} {when}",
        "When did I have the job interview at {company}?",
        "the job interview",
    ),
    ("I went to a pottery workshop {when}", "When did I go to the pottery workshop?", "the pottery workshop"),
    (
        "I lost my phone charger on the bus {when}",
        "When did I lose my phone charger?",
        "losing the phone charger",
    ),
    ("I adopted a kitten from the shelter {when}", "When did I adopt the kitten?", "adopting the kitten"),
    (
        "I started a sourdough starter {when}",
        "When did I start my sourdough starter?",
        "starting the sourdough starter",
    ),
    (
        "I attended my cousin's wedding {when}",
        "When did I attend my cousin's wedding?",
        "my cousin's wedding",
    ),
)
LISTS = (  # (clauses with {item}, which-question, how-many question, pool): items said in several sessions
    (
        ("I just finished reading {item}", "I couldn't put {item} down and read it cover to cover"),
        "Which books have I finished reading?",
        "How many novels have I finished?",
        "book",
    ),
    (
        ("I bought a new {item} for my kitchen", "I treated myself to a {item} for cooking"),
        "What kitchen items have I bought?",
        "How many new pieces of cookware have I picked up?",
        "kitchen",
    ),
    (
        ("I visited {item} on a day trip", "I drove out to {item} for the day"),
        "Which places have I visited on day trips?",
        "How many different places have I gone to for the day?",
        "place",
    ),
    (
        (
            "I signed up for a {item} class at the community center",
            "I joined a {item} course at the community center",
        ),
        "Which classes have I signed up for?",
        "How many community center classes am I taking?",
        "class",
    ),
)
TOTALS = (  # (clause with {amount} and {item}, question, pool): the question asks for the sum of the amounts
    (
        "I paid ${amount} for {item} for the garden",
        "How much have I spent on the garden altogether?",
        "garden",
    ),
    ("I spent ${amount} on {item} for my bike", "What is the total I've put into cycling gear?", "bike"),
    ("I donated ${amount} to {item}", "How much money have I given to charity in total?", "charity"),
)
SLOTS: dict[str, tuple[str, ...]] = {
    "minutes": ("25", "35", "40", "45", "50", "55"),
    "pet": ("Luna", "Mochi", "Pepper", "Ziggy", "Olive", "Biscuit"),
    "store": ("the outlet mall", "a small shop downtown", "Fleet Feet", "the REI store"),
    "field": ("economics", "biology", "graphic design", "mechanical engineering", "history"),
    "sibling": ("Rachel", "Emily", "Sofia", "Hannah", "Claire"),
    "instrument": ("clarinet", "trombone", "cello", "saxophone", "flute"),
    "software": ("Asana", "Notion", "Trello", "Jira", "Airtable"),
    "cafe": ("The Daily Grind", "Bean There", "Common Ground", "Blue Door Coffee"),
    "tool": ("Adobe Premiere Pro", "DaVinci Resolve", "Final Cut Pro"),
    "appliance": ("air fryer", "Instant Pot", "rice cooker"),
    "genre": ("historical fiction", "science fiction", "mystery", "fantasy"),
    "app": ("the Nike Training Club app", "the Peloton app", "Strava"),
    "series": ("Python programming", "watercolor basics", "guitar fundamentals", "Excel mastery"),
    "country": ("Japan", "Portugal", "Peru", "Iceland"),
    "company": ("Google", "a local startup", "the city library", "Deloitte"),
    "book": ("The Nightingale", "Project Hail Mary", "Educated", "The Midnight Library", "Circe", "Dune"),
    "kitchen": ("stand mixer", "cast iron skillet", "chef's knife", "food processor", "kettle"),
    "place": ("Point Reyes", "Half Moon Bay", "Sausalito", "Muir Woods", "Napa"),
    "class": ("pottery", "salsa dancing", "watercolor", "first aid", "beginner Italian", "woodworking"),
    "garden": ("a bag of potting soil", "a new hose", "tomato seedlings", "a trellis", "clay pots"),
    "bike": ("a new helmet", "brake pads", "a bike light", "a saddle bag", "new tires"),
    "charity": (
        "the local food bank",
        "an animal shelter",
        "a literacy nonprofit",
        "the children's hospital",
    ),
}
