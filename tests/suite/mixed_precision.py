"""A correct library with two precisions in it, as real ones have (a float32 kernel beside float64 ones): the
softmax family from the float32 port (tests/suite/float32_port.py), the multiclass SVM and the scores from the
reference, in float64.

Each function is judged at its own precision, and the laws of each draw their inputs in it: the softmax laws
draw float32 numbers (float64 scores beyond float32's range would overflow any float32 softmax, which is float32's
limit, not a fault), the SVM laws any float64. With CONV-1 declared for the float32 functions (they compute in
float32 by design, mixed_precision.deviations) the run must pass.
"""

from __future__ import annotations

from lcspec import reference
from tests.suite import float32_port

softmax = float32_port.softmax
log_softmax = float32_port.log_softmax
cross_entropy_losses = float32_port.cross_entropy_losses
scores = reference.scores
hinge_losses = reference.hinge_losses
svm_loss = reference.svm_loss
