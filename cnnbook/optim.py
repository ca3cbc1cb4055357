r"""Optimizers in numpy: SGD, momentum (two forms), Adam, AdamW.

Each optimizer holds a list of parameters (objects with ``data`` and
``grad`` arrays, such as :class:`cnnbook.nn.Parameter`) and updates them in
place in :meth:`step`, from their ``grad``. Arguments and update rules are
PyTorch's, step for step (the tests compare trajectories with
``torch.optim``), except :class:`MomentumEMA`, the encyclopedia's form of
momentum, which PyTorch does not have.

Two ways to shrink the weights:

- **L2 regularization** adds :math:`\lambda \sum_i w_i^2` to the loss, so
  :math:`2\lambda w` to the gradient (:func:`l2_penalty`,
  :func:`l2_penalty_grad`). PyTorch's ``weight_decay`` argument of
  :class:`SGD` and :class:`Adam` adds ``weight_decay * w`` to the gradient,
  which is L2 with :math:`\lambda` = ``weight_decay / 2``.
- **Decoupled weight decay** (:class:`AdamW`) shrinks the weights directly,
  :math:`w \leftarrow (1 - \eta\lambda) w`, outside the adaptive update.
  For plain SGD the two coincide; for Adam they do not.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from ._validation import as_array, as_list, check_bool, check_number

if TYPE_CHECKING:
    from .nn.module import Parameter

__all__ = [
    "SGD",
    "Adam",
    "AdamW",
    "MomentumEMA",
    "Optimizer",
    "ema_lr_to_pytorch_lr",
    "l2_penalty",
    "l2_penalty_grad",
]


class Optimizer(ABC):
    """Base class: a list of parameters and a learning rate."""

    def __init__(self, params: Iterable[Parameter], lr: float):
        func = type(self).__name__
        params = as_list(
            params, "params", func, what="parameters (model.parameters())"
        )
        if not params:
            raise ValueError(f"{func}: params is an empty list")
        seen = {}
        for i, p in enumerate(params):
            if not (hasattr(p, "data") and hasattr(p, "grad")):
                raise TypeError(
                    f"{func}: params[{i}] must have .data "
                    f"and .grad arrays (a cnnbook.nn.Parameter), got "
                    f"{type(p).__name__}"
                )
            if id(p) in seen:
                # it would be updated twice per step
                raise ValueError(
                    f"{func}: params[{i}] is params[{seen[id(p)]}] again; "
                    "each parameter must be listed once"
                )
            seen[id(p)] = i
        self.params = params
        self.lr = lr
        self.state = [{} for _ in params]
        self.steps = 0

    @property
    def lr(self) -> float:
        """The learning rate :math:`\\eta` (a schedule may change it)."""
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        self._lr = check_number(value, "lr", type(self).__name__, minimum=0)

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad[...] = 0

    def step(self) -> None:
        """Update every parameter from its ``grad``, in place."""
        self.steps += 1
        for i, (p, state) in enumerate(
            zip(self.params, self.state, strict=True)
        ):
            if np.shape(p.grad) != np.shape(p.data):
                raise ValueError(
                    f"{type(self).__name__}.step: params[{i}].grad has "
                    f"shape {np.shape(p.grad)}, its data "
                    f"{np.shape(p.data)}; they must be the same"
                )
            update = self._update(p.data, p.grad, state)
            p.data -= update.astype(p.data.dtype, copy=False)

    @abstractmethod
    def _update(self, w, g, state):
        """The step to subtract from ``w``, given its gradient ``g`` and
        its per-parameter ``state`` (a dict the method may update)."""


class SGD(Optimizer):
    r"""Stochastic gradient descent with momentum, as ``torch.optim.SGD``.

    .. math::

        g_t &\leftarrow \nabla_w\mathcal{L} + \lambda' w_t
            \quad(\lambda' = \text{weight\_decay}) \\
        b_t &= \mu\, b_{t-1} + (1 - \tau)\, g_t
            \quad(b_1 = g_1) \\
        w_{t+1} &= w_t - \eta\, b_t
            \quad(\text{Nesterov: } w_t - \eta(g_t + \mu b_t))

    :math:`\mu` is ``momentum`` and :math:`\tau` ``dampening``. With
    ``momentum=0`` it is the basic rule
    :math:`w_{t+1} = w_t - \eta \nabla_w \mathcal{L}`.
    """

    def __init__(
        self,
        params: Iterable[Parameter],
        lr: float,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
    ):
        super().__init__(params, lr)
        func = "SGD"
        self.momentum = check_number(momentum, "momentum", func, minimum=0)
        self.dampening = check_number(dampening, "dampening", func)
        self.weight_decay = check_number(
            weight_decay, "weight_decay", func, minimum=0
        )
        nesterov = check_bool(nesterov, "nesterov", func)
        if nesterov and (self.momentum <= 0 or self.dampening != 0):
            raise ValueError(
                f"{func}: nesterov needs momentum > 0 and dampening = 0"
            )
        self.nesterov = bool(nesterov)

    def _update(self, w, g, state):
        if self.weight_decay:
            g = g + self.weight_decay * w
        if self.momentum:
            if "buffer" not in state:
                state["buffer"] = np.array(g, copy=True)
            else:
                state["buffer"] *= self.momentum
                state["buffer"] += (1 - self.dampening) * g
            buf = state["buffer"]
            g = g + self.momentum * buf if self.nesterov else buf
        return self.lr * g


class MomentumEMA(Optimizer):
    r"""Momentum as the encyclopedia writes it: an average of gradients.

    .. math::

        v_t = \beta v_{t-1} + (1 - \beta)\nabla_w \mathcal{L}, \qquad
        w_{t+1} = w_t - \eta\, v_t, \qquad v_0 = 0

    :math:`v` is an exponential moving average, so its size is that of a
    gradient. PyTorch's buffer (:class:`SGD`) sums instead,
    :math:`b_t = \beta b_{t-1} + \nabla_w\mathcal{L}`, and is
    :math:`1/(1-\beta)` times larger: :math:`b_t = v_t / (1 - \beta)` at
    every step. The two follow the same trajectory when PyTorch's learning
    rate is :math:`\eta(1 - \beta)` (:func:`ema_lr_to_pytorch_lr`).
    """

    def __init__(
        self, params: Iterable[Parameter], lr: float, beta: float = 0.9
    ):
        super().__init__(params, lr)
        self.beta = check_number(
            beta, "beta", "MomentumEMA", minimum=0, maximum=1
        )

    def _update(self, w, g, state):
        v = state.setdefault("velocity", np.zeros_like(w))
        v *= self.beta
        v += (1 - self.beta) * g
        return self.lr * v


def ema_lr_to_pytorch_lr(lr: float, beta: float) -> float:
    r"""The ``torch.optim.SGD`` learning rate that reproduces
    :class:`MomentumEMA` with learning rate ``lr``: :math:`\eta(1-\beta)`.
    """
    func = "ema_lr_to_pytorch_lr"
    lr = check_number(lr, "lr", func, minimum=0)
    beta = check_number(beta, "beta", func, minimum=0, maximum=1)
    return lr * (1 - beta)


class Adam(Optimizer):
    r"""Adam (Kingma & Ba 2015), as ``torch.optim.Adam``.

    .. math::

        m_t &= \beta_1 m_{t-1} + (1-\beta_1) g_t, \qquad
        v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2 \\
        \hat m_t &= \frac{m_t}{1-\beta_1^t}, \qquad
        \hat v_t = \frac{v_t}{1-\beta_2^t}, \qquad
        w_{t+1} = w_t - \frac{\eta\, \hat m_t}{\sqrt{\hat v_t} + \epsilon}

    ``weight_decay`` :math:`\lambda'` adds :math:`\lambda' w` to
    :math:`g_t` first: L2 regularization, whose effect is then divided by
    :math:`\sqrt{\hat v_t}` like the rest of the gradient (see
    :class:`AdamW`).
    """

    def __init__(
        self,
        params: Iterable[Parameter],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ):
        super().__init__(params, lr)
        func = type(self).__name__
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"{func}: betas must be a pair, got {betas!r}")
        self.betas = tuple(
            check_number(b, f"betas[{i}]", func, minimum=0, maximum=1)
            for i, b in enumerate(betas)
        )
        if self.betas[0] == 1 or self.betas[1] == 1:
            raise ValueError(f"{func}: betas must be < 1, got {betas}")
        self.eps = check_number(eps, "eps", func, minimum=0)
        self.weight_decay = check_number(
            weight_decay, "weight_decay", func, minimum=0
        )

    def _moments(self, g, state, w):
        b1, b2 = self.betas
        m = state.setdefault("m", np.zeros_like(w))
        v = state.setdefault("v", np.zeros_like(w))
        m *= b1
        m += (1 - b1) * g
        v *= b2
        v += (1 - b2) * g * g
        t = self.steps
        m_hat = m / (1 - b1**t)
        v_hat = v / (1 - b2**t)
        return m_hat / (np.sqrt(v_hat) + self.eps)

    def _update(self, w, g, state):
        if self.weight_decay:
            g = g + self.weight_decay * w
        return self.lr * self._moments(g, state, w)


class AdamW(Adam):
    r"""Adam with decoupled weight decay (Loshchilov & Hutter 2019), as
    ``torch.optim.AdamW``.

    .. math::

        w_{t+1} = w_t - \eta\left(\frac{\hat m_t}{\sqrt{\hat v_t} +
            \epsilon} + \lambda w_t\right)

    The decay :math:`\eta\lambda w_t` is the same fraction of every weight,
    however large or small its gradients; in :class:`Adam` with
    ``weight_decay`` the decay goes through :math:`\hat m / \sqrt{\hat v}`
    and weights with large gradients hardly decay at all. (The paper
    multiplies :math:`\lambda` by the schedule's multiplier only, not by
    the base learning rate; PyTorch multiplies it by the learning rate
    :math:`\eta`, and so does this class.)
    """

    def __init__(
        self,
        params: Iterable[Parameter],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
    ):
        super().__init__(params, lr, betas, eps, weight_decay)

    def _update(self, w, g, state):
        adam = self._moments(g, state, w)
        return self.lr * (adam + self.weight_decay * w)


def l2_penalty(weights: Iterable[ArrayLike], lam: float) -> float:
    r""":math:`\lambda \sum_i w_i^2` over a list of arrays."""
    func = "l2_penalty"
    lam = check_number(lam, "lam", func, minimum=0)
    weights = as_list(weights, "weights", func, what="weight arrays")
    return lam * sum(
        float(np.sum(np.square(as_array(w, f"weights[{i}]", func))))
        for i, w in enumerate(weights)
    )


def l2_penalty_grad(weight: ArrayLike, lam: float) -> np.ndarray:
    r""":math:`\partial(\lambda \sum_i w_i^2)/\partial w = 2\lambda w`."""
    lam = check_number(lam, "lam", "l2_penalty_grad", minimum=0)
    return 2 * lam * as_array(weight, "weight", "l2_penalty_grad")
