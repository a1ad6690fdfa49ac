"""Words that say nothing about what a picture should show: shared by the storyboard's
visual prompts and the stock search queries (pure data, no Django)."""

from __future__ import annotations

# Function words and very common verbs/adverbs: never useful in an image prompt or a
# stock search query.
STOPWORDS: frozenset[str] = frozenset(
    """
    a about above across after again against all almost along already also although always
    am among an and another any anybody anyone anything anyway anywhere are aren't around as
    at away back be became because become becomes been before began begin behind being below
    beside besides best better between beyond both bring brings brought but by came can can't
    cannot could couldn't did didn't do does doesn't doing don't done down during each either
    else enough etc even ever every everybody everyone everything everywhere few find first for
    found from further get gets getting give given gives go goes going gone good got great had
    hadn't has hasn't have haven't having he he'd he'll he's her here here's hers herself him
    himself his how how's however i i'd i'll i'm i've if in indeed instead into is isn't it
    it's its itself just keep kept know knew known last later least less let let's like
    little lot lots made make makes making many may maybe me might mine more most much must
    mustn't my myself near need needs never new next no nobody none nor not nothing now of
    off often oh ok okay old on once one only onto or other others otherwise ought our ours
    ourselves out over own perhaps put quite rather really right said same saw say says see
    seem seemed seems seen shall shan't she she'd she'll she's should shouldn't since so some
    somebody someone something sometimes somewhat somewhere soon still such sure take taken
    takes tell than that that's the their theirs them themselves then there there's these
    they they'd they'll they're they've thing things think this those though thought through
    throughout thus till to together told too took toward towards under until up upon us use
    used uses using usually very via want wanted wants was wasn't way ways we we'd we'll we're
    we've well went were weren't what what's whatever when whenever where where's whereas
    wherever whether which while who who's whoever whole whom whose why will with within
    without won't would wouldn't yeah yes yet you you'd you'll you're you've your yours
    yourself yourselves
    zero two three four five six seven eight nine ten hundred thousand million billion
    """.split()
)
