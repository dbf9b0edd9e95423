"""What-if: replay a sending policy (dedup, digest, throttle, expiry) on past logs.

policy.py reads the policy file; replay.py decides each notification's fate by array
operations; simulate.py runs the replay and the metric queries over what it kept;
suggest.py proposes, per noisy template, the mildest policy that clears its flags.
"""

from template_noise.whatif.policy import Policy, PolicyError, Rules, load_policy, parse_policy
from template_noise.whatif.simulate import Simulation, simulate

__all__ = [
    "Policy",
    "PolicyError",
    "Rules",
    "Simulation",
    "load_policy",
    "parse_policy",
    "simulate",
]
