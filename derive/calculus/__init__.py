"""The calculus: chain rule, equivalence, the numeric route, diagnosis (being moved here
from the flat modules of derive/), and sums over the samples (:mod:`.samples`)."""
