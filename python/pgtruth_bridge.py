"""pgtruth's Python bridge: check estimators written in NumPy, PyTorch or JAX with `pgtruth check`.

This one file is shipped in the pgtruth npm package (``python/pgtruth_bridge.py``). It needs
the standard library and numpy; torch or jax is imported only when a user's module uses it.
It has two roles:

1. **The worker** (``python3 pgtruth_bridge.py serve …``), started by ``pgtruth check my.py``:
   it imports the user's module, lists its estimators, and answers one estimate call per
   request. Requests and replies are a 4-byte little-endian length, a small JSON header, and
   binary little-endian columns; large payloads sit in a shared-memory file (``/dev/shm``)
   and only the header crosses the pipe.
2. **The pytest helper** :func:`assert_check_passes`, which runs ``pgtruth check --json`` and
   raises ``AssertionError`` with the verdicts unless every claim passes.

Declaring an estimator (no import of this file needed)::

    PGTRUTH = {'kind': 'advantage', 'name': 'my gae', 'function': 'gae', 'layout': 'time-major'}
    def gae(batch, values, gamma, lam): ...          # returns (advantages, targets)

or several: ``PGTRUTH = [{...}, {...}]``; or the decorator ``@pgtruth_bridge.estimator(kind=…)``.
The kinds mirror the TypeScript interface (README, "pgtruth check"):

- ``policy-gradient``: ``f(batch, policy, gamma)`` → ∇J estimate, shape (S, A) or (S·A,);
  with ``'loss': True``, a loss L of tensors and the estimate is −∇_θ L.
- ``advantage``: ``f(batch, values, gamma, lam)`` → ``(advantages, targets)``, one per transition.
- ``kl``: ``f(log_ratio)`` → one estimate of KL(q‖p) per sample, log r = log p(x) − log q(x).
- ``surrogate`` (``'clip': ε`` for PPO; ``'entropyCoef'``, ``'klCoef'``, ``'normalizeAdvantages'``
  as in TypeScript): ``f(batch, policy, advantages)`` → ``(loss, gradient)``;
  with ``'loss': True`` (PyTorch / JAX) just the loss: the bridge differentiates it with
  torch.autograd or jax.grad — whichever the module imports, or ``'framework': 'torch'``.
- ``group`` (GRPO, RLOO, Dr. GRPO; ``'scale': lambda G: 1 - 1 / G`` declares κ(G) in
  E[ĝ] = κ(G)·∇J, default 1): ``f(batch, policy)`` on B prompts × G responses × T tokens →
  per-token advantages of shape (N, T), N = B·G (padding ignored); with ``'loss': True`` a loss
  whose −∇_θ is the estimate.
  ``'objective': 'J' | 'length-normalized'`` declares what the estimate is unbiased for;
  ``'klPenalty'`` (a function or its name) ``kl(batch, policy)`` → per-token coefficients c (N, T)
  of ∇L_KL = (1/N) Σ m c ∇log π, on a batch that also has ``logpRef_t`` (with ``'loss': True``
  the loss L_KL itself, whose +∇_θ is ∇L_KL).
- ``policy-gradient`` with ``'policy': 'gaussian'`` or ``'tanh-gaussian'`` (continuous actions,
  src/verify/continuous-kind.ts): ``f(batch, policy, gamma)`` → ∇_θ J estimate of shape (P,),
  where ``batch`` also has ``obs_t``, ``obs_tp1`` (T, d), ``a_cont_t``, ``a_env_t`` (T, k),
  ``v_t``, ``v_tp1`` (T,) and ``policy`` is a :class:`GaussianPolicy` (numpy only).
- ``policy-gradient`` with ``'policy': 'mlp'`` (an MLP policy on a tabular MDP,
  src/verify/mlp-kind.ts): π_w(·|s) = softmax(f_w(φ(s))); ``f(batch, policy, gamma)`` → ∇_w J
  estimate of shape (P,), where ``policy`` is an :class:`MlpPolicy` — the network's data
  (``weights`` w, ``sizes``, ``activation``, ``features`` φ of shape (S, n_0)), not its
  computation: the function computes the logits and Σ_t c_t ∇_w log π_w(a_t|s_t) itself
  (hand-written backprop in numpy, or autograd). With ``'loss': True`` (torch / jax) it returns
  a loss L built from ``policy.weights`` (a leaf tensor) and the estimate is −∇_w L. The layout
  of w is :func:`unflatten`'s.
- ``policy-gradient`` with ``'policy': 'gaussian-mlp'`` or ``'tanh-gaussian-mlp'`` (a Gaussian or
  tanh-Gaussian head on an MLP over a contextual bandit, src/verify/gaussian-mlp-kind.ts): the
  continuous batch as for ``'gaussian'`` and a :class:`GaussianMlpPolicy` — the network's data
  (``weights`` w, ``sizes``, ``activation``, ``log_std_mode``, ``log_std_offset``), not its
  computation; ``f(batch, policy, gamma)`` → ∇_w J estimate of shape (P,) (no ``'loss': True``:
  differentiate inside the function). The surrogate kind declares these policies too.
- ``surrogate`` with ``'policy': 'gaussian'``, ``'tanh-gaussian'``, ``'gaussian-mlp'`` or ``'tanh-gaussian-mlp'`` (PPO losses of continuous
  policies, src/verify/continuous-surrogate.ts; ``'entropy': 'exact' | 'sample'`` declares how
  the entropy bonus is computed): ``f(batch, policy, advantages)`` → ``(loss, gradient)``, the
  gradient of shape (P,), on the same continuous batch (numpy only: no ``'loss': True``).

- ``value-loss`` (``'definition'``, ``'reduction'``: 'mean' | 'sum', ``'half'``, ``'valueClip'``: ε):
  ``f(batch, values, values_old, gamma, lam)`` → ``(loss, gradient)``, ∇ of the loss in the value
  table V (shape (S,)), targets computed from ``values_old``; with ``'loss': True`` a loss of
  tensors in which ``values`` is a leaf.
- ``actor-critic`` (``'valueCoef'`` required, ``'entropyCoef'``, ``'definition'``, ``'reduction'``,
  ``'half'``): ``f(batch, policy, values, gamma, lam)`` → ``(loss, grad_theta, grad_v)``; with
  ``'loss': True`` a loss in which ``policy.logits`` and ``values`` are leaves, so a missing
  ``.detach()`` shows as bias. Flat layout only for these two kinds.

An advantage estimator may declare ``'definition'``: ``'gae'`` (default), ``'lambda-return'``
or ``{'nStep': n}`` — the critic claim compares it with that definition's exact mean.

The policy is a tabular softmax, π(a|s) ∝ exp θ[s, a]; ``policy.logits`` is θ of shape (S, A)
(a leaf tensor that requires grad under torch, a traced array under jax.grad);
``policy.log_prob(s, a)`` gives log π(a|s) for arrays of states and actions, differentiable
in θ. Batches hold the Batch columns of pgtruth (rlax's time-indexed names); with
``'layout': 'time-major'`` they are Gymnasium's [T, N] arrays (with ``mask``: 0 on padding).
"""
from __future__ import annotations

import importlib.util
import json
import mmap
import os
import signal
import struct
import subprocess
import sys
import traceback

KINDS = ('policy-gradient', 'advantage', 'kl', 'surrogate', 'group', 'value-loss', 'actor-critic')
# the deep-RL loss kinds (src/verify/value-loss-kind.ts): their declared fields are checked on the Node side (LOSS_DECLARATION)
LOSS_KINDS = ('value-loss', 'actor-critic')
LOSS_KEYS = ('reduction', 'half', 'valueClip', 'valueCoef')
LAYOUTS = ('flat', 'time-major')
FRAMEWORKS = ('torch', 'jax')
BATCH_COLUMNS = ('s_t', 'a_t', 'r_t', 's_tp1', 'terminated_t', 'truncated_t', 't_index', 'logp_t', 'episode_t')

DECLARATION_KEYS = ('kind', 'name', 'function', 'layout', 'clip', 'loss', 'framework', 'definition', 'scale', 'entropyCoef', 'klCoef', 'normalizeAdvantages', 'reduction', 'half', 'valueClip', 'valueCoef', 'policy', 'entropy', 'objective', 'klPenalty')
# the objectives a group estimator may declare (src/verify/group-kind.ts GROUP_OBJECTIVES)
GROUP_OBJECTIVES = ('J', 'length-normalized')
# the policies a policy-gradient estimator may declare in Python
POLICIES = ('tabular', 'gaussian', 'tanh-gaussian', 'mlp', 'gaussian-mlp', 'tanh-gaussian-mlp')
# the continuous policies (a ContinuousBatch; the surrogate kind may declare them too)
CONTINUOUS_POLICIES = ('gaussian', 'tanh-gaussian', 'gaussian-mlp', 'tanh-gaussian-mlp')
# the hidden activations of pgtruth's MLP (src/policy/mlp.ts ACTIVATIONS)
ACTIVATIONS = ('tanh', 'relu', 'swish')
GROUP_COLUMNS = ('prompts', 'mask', 's_t', 'a_t', 'logp_t', 'r_t', 'rewards', 'lengths')
# the group sizes G of pgtruth's group kind, where a declared scale is evaluated (src/verify/group-kind.ts, GROUP_SIZES)
GROUP_SIZES = (3, 4, 8)
INLINE_LIMIT = 1 << 16  # replies larger than this go through the shared-memory file

np = None  # numpy, imported by the worker after it has connected (so that its absence can be reported)


# ---------------------------------------------------------------- declarations

def estimator(kind, name=None, layout='flat', clip=None, loss=False, framework=None, definition=None, scale=None, entropyCoef=None, klCoef=None, normalizeAdvantages=None, reduction=None, half=None, valueClip=None, valueCoef=None, policy=None, objective=None, klPenalty=None):
    """Decorator declaring a function as a pgtruth estimator (same keys as a ``PGTRUTH`` entry)."""
    def mark(fn):
        fn.pgtruth = {k: v for k, v in (('kind', kind), ('name', name), ('layout', layout), ('clip', clip), ('loss', loss), ('framework', framework), ('definition', definition), ('scale', scale), ('entropyCoef', entropyCoef), ('klCoef', klCoef), ('normalizeAdvantages', normalizeAdvantages), ('reduction', reduction), ('half', half), ('valueClip', valueClip), ('valueCoef', valueCoef), ('policy', policy), ('objective', objective), ('klPenalty', klPenalty)) if v is not None}
        return fn
    return mark


class Fail(Exception):
    """An error the Node side re-raises with pgtruth's error code ``code``."""

    def __init__(self, code, message, where=None):
        super().__init__(message)
        self.code, self.message, self.where = code, message, where


class Estimator:
    def __init__(self, module, path, key, decl, fn):
        self.key, self.fn = key, fn
        where = f'{path}: {key}'
        kind = decl.get('kind')
        if kind not in KINDS:
            raise Fail('PLUGIN_INVALID', f'{where} has kind {kind!r}: expected one of {", ".join(KINDS)}', key)
        unknown = sorted(set(decl) - set(DECLARATION_KEYS))
        if unknown:
            raise Fail('PLUGIN_INVALID', f'{where} declares unknown key(s) {", ".join(unknown)}: the keys are {", ".join(DECLARATION_KEYS)}', key)
        self.kind = kind
        self.name = str(decl.get('name') or getattr(fn, '__name__', key))
        self.layout = decl.get('layout', 'flat')
        if self.layout not in LAYOUTS:
            raise Fail('PLUGIN_INVALID', f'{where} has layout {self.layout!r}: expected one of {", ".join(LAYOUTS)}', key)
        if self.layout == 'time-major' and kind == 'kl':
            raise Fail('PLUGIN_INVALID', f'{where}: layout "time-major" ([T, N]) is for batches of transitions; a kl estimator takes a flat array of log-ratios', key)
        if self.layout == 'time-major' and kind == 'group':
            raise Fail('PLUGIN_INVALID', f'{where}: layout "time-major" is for batches of transitions; a group estimator gets (N, T) token arrays', key)
        self.definition = decl.get('definition')
        if self.definition is not None and kind not in ('advantage',) + LOSS_KINDS:
            raise Fail('PLUGIN_INVALID', f'{where}: definition is for the advantage kind, not {kind} (and for value-loss and actor-critic)', key)
        if self.layout == 'time-major' and kind in LOSS_KINDS:
            raise Fail('PLUGIN_INVALID', f'{where}: layout "time-major" is not supported for the {kind} kind yet: use the flat layout', key)
        if self.definition is not None and not (self.definition in ('gae', 'lambda-return') or (isinstance(self.definition, dict) and set(self.definition) == {'nStep'} and isinstance(self.definition['nStep'], int) and not isinstance(self.definition['nStep'], bool) and self.definition['nStep'] >= 1)):
            raise Fail('PLUGIN_INVALID', f"{where} has definition {self.definition!r}: expected 'gae', 'lambda-return' or {{'nStep': n}} with an integer n ≥ 1", key)
        scale = decl.get('scale')
        self.scale = None
        if scale is not None:
            if kind != 'group':
                raise Fail('PLUGIN_INVALID', f'{where}: scale is for the group kind, not {kind}', key)
            if not callable(scale):
                raise Fail('PLUGIN_INVALID', f'{where} has scale {scale!r}: expected a function of the group size G', key)
            self.scale = []
            for G in GROUP_SIZES:
                try:
                    v = scale(G)
                except Exception:
                    raise Fail('PLUGIN_INVALID', f'{where}: scale({G}) raised\n{traceback.format_exc()}', key)
                if isinstance(v, bool) or not isinstance(v, (int, float)) or v != v or v in (float('inf'), float('-inf')):
                    raise Fail('PLUGIN_INVALID', f'{where}: scale({G}) is {v!r}: expected a finite number', key)
                self.scale.append([G, float(v)])
        self.clip = decl.get('clip')
        if self.clip is not None and not (isinstance(self.clip, (int, float)) and 0 < self.clip < 1):
            raise Fail('PLUGIN_INVALID', f'{where} has clip {self.clip!r}: expected a number in (0, 1)', key)
        if self.clip is not None and kind != 'surrogate':
            raise Fail('PLUGIN_INVALID', f'{where}: clip is for the surrogate kind, not {kind}', key)
        # a surrogate's declared regularizers and advantage normalization (pgtruth's SurrogateEstimator)
        self.extras = {}
        for f in LOSS_KEYS:
            if f in decl:
                if kind not in LOSS_KINDS:
                    raise Fail('PLUGIN_INVALID', f'{where}: {f} is for the value-loss and actor-critic kinds, not {kind}', key)
                self.extras[f] = decl[f]
        for f in ('entropyCoef', 'klCoef', 'normalizeAdvantages'):
            v = decl.get(f)
            if v is None:
                continue
            if kind != 'surrogate' and not (f == 'entropyCoef' and kind == 'actor-critic'):
                raise Fail('PLUGIN_INVALID', f'{where}: {f} is for the surrogate kind, not {kind}', key)
            if f == 'normalizeAdvantages':
                if not isinstance(v, bool):
                    raise Fail('PLUGIN_INVALID', f'{where} has normalizeAdvantages {v!r}: expected True or False', key)
            elif isinstance(v, bool) or not isinstance(v, (int, float)) or not (v >= 0) or v == float('inf'):
                raise Fail('PLUGIN_INVALID', f'{where} has {f} {v!r}: expected a finite number ≥ 0', key)
            self.extras[f] = v if isinstance(v, bool) else float(v)
        self.loss = bool(decl.get('loss', False))
        if self.loss and kind not in ('surrogate', 'policy-gradient', 'group') + LOSS_KINDS:
            raise Fail('PLUGIN_INVALID', f'{where}: loss: True is for the surrogate, policy-gradient, group, value-loss and actor-critic kinds, not {kind}', key)
        self.framework = decl.get('framework')
        if self.framework is not None and self.framework not in FRAMEWORKS:
            raise Fail('PLUGIN_INVALID', f'{where} has framework {self.framework!r}: expected torch or jax', key)
        if self.loss and self.framework is None:
            used = [f for f in FRAMEWORKS if f in sys.modules and any(getattr(v, '__name__', '').split('.')[0] == f for v in vars(module).values())]
            if len(used) != 1:
                raise Fail('PLUGIN_INVALID', f'{where} returns a loss to differentiate, and the module imports {"both torch and jax" if used else "neither torch nor jax"}: declare "framework": "torch" or "jax"', key)
            self.framework = used[0]
        if not callable(fn):
            raise Fail('PLUGIN_INVALID', f'{where} is {type(fn).__name__}: expected a function', key)
        self.policy = decl.get('policy')
        # a group estimator's declared objective and KL-to-reference term (src/verify/group-kind.ts)
        self.kl_fn = None
        for f in ('objective', 'klPenalty'):
            if f in decl and kind != 'group':
                raise Fail('PLUGIN_INVALID', f'{where}: {f} is for the group kind, not {kind}', key)
        if 'objective' in decl:
            if decl['objective'] not in GROUP_OBJECTIVES:
                raise Fail('PLUGIN_INVALID', f'{where} has objective {decl["objective"]!r}: expected {" or ".join(repr(o) for o in GROUP_OBJECTIVES)}', key)
            self.extras['objective'] = decl['objective']
        if 'klPenalty' in decl:
            kl = decl['klPenalty']
            if isinstance(kl, str):
                if not callable(getattr(module, kl, None)):
                    raise Fail('PLUGIN_INVALID', f'{where} has klPenalty {kl!r}, which the module does not define as a function', key)
                kl = getattr(module, kl)
            if not callable(kl):
                raise Fail('PLUGIN_INVALID', f'{where} has klPenalty {kl!r}: expected a function of (batch, policy) or the name of one', key)
            self.kl_fn = kl
            self.extras['klPenalty'] = True
        # a surrogate's entropy estimate (src/verify/continuous-surrogate.ts): 'exact' or 'sample'
        entropy = decl.get('entropy')
        if entropy is not None:
            if kind != 'surrogate' or entropy not in ('exact', 'sample'):
                raise Fail('PLUGIN_INVALID', f"{where} has entropy {entropy!r}: a surrogate declares 'exact' or 'sample'", key)
            self.extras['entropy'] = entropy
        if self.policy is not None:
            if kind != 'policy-gradient' and not (kind == 'surrogate' and self.policy in ('tabular',) + CONTINUOUS_POLICIES):
                raise Fail('PLUGIN_POLICY', f"{where} declares policy {self.policy!r} on kind {kind}: only policy-gradient estimators declare a policy, and surrogates 'gaussian', 'tanh-gaussian', 'gaussian-mlp' or 'tanh-gaussian-mlp'", key)
            if self.policy not in POLICIES:
                raise Fail('PLUGIN_POLICY', f'{where} has policy {self.policy!r}: expected one of {", ".join(POLICIES)}', key)
            if self.policy == 'mlp' and self.layout != 'flat':
                raise Fail('PLUGIN_POLICY', f'{where}: an mlp policy takes flat batches (no time-major layout)', key)
            if self.policy not in ('tabular', 'mlp') and (self.loss or self.layout != 'flat'):
                raise Fail('PLUGIN_POLICY', f'{where}: a {self.policy} policy takes flat batches and returns the gradient (no loss, no time-major layout)', key)

    def describe(self):
        return {'key': self.key, 'name': self.name, 'kind': self.kind, 'layout': self.layout, 'clip': self.clip, 'loss': self.loss, 'framework': self.framework, 'definition': self.definition, 'scale': self.scale, **self.extras, **({'policy': self.policy} if self.policy is not None else {})}


def import_framework(name, path):
    try:
        return importlib.import_module(name)
    except ImportError as e:
        hint = 'apt-get install python3-torch (Debian/Ubuntu) or pip install torch' if name == 'torch' else 'pip install jax (pgtruth has not been tested with jax)'
        raise Fail('PYTHON_UNAVAILABLE', f'{path} uses {name}, which {sys.executable} cannot import ({e}): {hint}, or pass --python with an interpreter that has it', name)


def load_module(spec):
    """Imports the user's module at ``path[:function]`` and returns its declared estimators."""
    path, _, only = spec.rpartition(':') if spec.count(':') and not spec.endswith('.py') else (spec, '', '')
    path = os.path.abspath(path)
    sys.path.insert(0, os.path.dirname(path))
    name = '_pgtruth_user_' + os.path.splitext(os.path.basename(path))[0].replace('-', '_')
    try:
        ms = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(ms)
        sys.modules[name] = module
        ms.loader.exec_module(module)
    except ImportError as e:
        missing = (getattr(e, 'name', None) or '').split('.')[0]
        if missing in ('torch', 'jax', 'jaxlib', 'numpy'):
            import_framework(missing, path)
        raise Fail('PLUGIN_INVALID', f'cannot import {path}:\n{traceback.format_exc()}', path)
    except Exception:
        raise Fail('PLUGIN_INVALID', f'cannot import {path}:\n{traceback.format_exc()}', path)
    table = getattr(module, 'PGTRUTH', None)
    entries = []
    if table is not None:
        if isinstance(table, dict):
            table = [table]
        if not isinstance(table, (list, tuple)) or not all(isinstance(d, dict) for d in table):
            raise Fail('PLUGIN_INVALID', f'{path}: PGTRUTH is {type(table).__name__}: expected a dict or a list of dicts', 'PGTRUTH')
        for i, d in enumerate(table):
            fname = d.get('function', 'estimate')
            if not hasattr(module, fname):
                raise Fail('PLUGIN_INVALID', f'{path}: PGTRUTH[{i}] names function {fname!r}, which the module does not define', f'PGTRUTH[{i}]')
            entries.append((fname, d, getattr(module, fname)))
    declared = {e[0] for e in entries}
    for fname, obj in vars(module).items():
        if fname not in declared and callable(obj) and isinstance(getattr(obj, 'pgtruth', None), dict) and getattr(obj, '__module__', None) == name:
            entries.append((fname, obj.pgtruth, obj))
    if only:
        entries = [e for e in entries if e[0] == only]
        if not entries:
            if not callable(getattr(module, only, None)):
                raise Fail('PLUGIN_INVALID', f'{path} defines no function {only!r}', only)
            raise Fail('PLUGIN_INVALID', f'{path}:{only} is not declared: add PGTRUTH = {{"kind": …, "function": "{only}"}} or the @pgtruth_bridge.estimator decorator', only)
    if not entries:
        raise Fail('PLUGIN_INVALID', f'{path} declares no estimator: define PGTRUTH = {{"kind": "advantage", "function": "gae"}} (or a list of such dicts), or decorate functions with @pgtruth_bridge.estimator(kind=…)', path)
    out = [Estimator(module, path, fname, d, fn) for fname, d, fn in entries]
    for e in out:
        if e.framework:
            import_framework(e.framework, path)
    return out


# ---------------------------------------------------------------- the views a user's function sees

class Batch:
    """Sampled transitions, one entry per transition (flat) or [T, N] arrays (time-major).

    Columns: s_t, a_t, r_t, s_tp1, terminated_t, truncated_t, t_index, logp_t, episode_t;
    scalars size, num_states, num_actions, gamma. Time-major batches also have ``mask``
    (1 for a real transition, 0 for the padding after the last episode of a column).
    """

    def __init__(self, columns, size, num_states, num_actions, gamma):
        self.__dict__.update(columns)
        self.size, self.num_states, self.num_actions, self.gamma = size, num_states, num_actions, gamma

    def __repr__(self):
        return f'Batch(size={self.size}, shape={self.r_t.shape}, num_states={self.num_states}, num_actions={self.num_actions}, gamma={self.gamma})'


class Policy:
    """The tabular softmax policy π(a|s) ∝ exp θ[s, a] in one array library (numpy, torch or jax)."""

    def __init__(self, logits, backend):
        self.logits, self._b = logits, backend
        self.num_states, self.num_actions = int(logits.shape[0]), int(logits.shape[1])

    def log_probs(self):
        """log π(·|s) for every state, shape (S, A)."""
        return self._b.log_softmax(self.logits)

    def probs(self):
        """π(·|s) for every state, shape (S, A)."""
        return self._b.exp(self.log_probs())

    def log_prob(self, s, a):
        """log π(a|s), elementwise over arrays of states and actions (differentiable in θ)."""
        return self.log_probs()[s, a]

    def score(self, s, a):
        """∇_θ log π(a|s) for one pair: e_{s,a} − π(·|s) in row s, shape (S, A) (numpy only)."""
        g = np.zeros((self.num_states, self.num_actions))
        g[s] -= self.probs()[s]
        g[s, a] += 1.0
        return g

    def add_score(self, s, a, w, out):
        """out += Σ_i w_i ∇_θ log π(a_i|s_i), over arrays s, a, w (numpy only); returns out."""
        s, a, w = np.asarray(s), np.asarray(a), np.asarray(w, dtype=np.float64)
        np.add.at(out, (s, a), w)
        np.add.at(out, s, -w[..., None] * self.probs()[s])
        return out


class _Numpy:
    @staticmethod
    def log_softmax(x):
        m = x.max(axis=-1, keepdims=True)
        z = x - m
        return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))

    exp = staticmethod(lambda x: np.exp(x))


class _Torch:
    def __init__(self):
        import torch
        self.t = torch

    def log_softmax(self, x):
        return self.t.log_softmax(x, dim=-1)

    def exp(self, x):
        return self.t.exp(x)

    def tensor(self, a):
        if a.dtype.kind in 'iu' and a.dtype.itemsize < 8 and a.dtype != np.uint8:
            a = a.astype(np.int64)
        return self.t.from_numpy(np.array(a))  # a writable copy


class _Jax:
    def __init__(self):
        import jax
        import jax.numpy as jnp
        jax.config.update('jax_enable_x64', True)
        self.jax, self.jnp = jax, jnp

    def log_softmax(self, x):
        return self.jax.nn.log_softmax(x, axis=-1)

    def exp(self, x):
        return self.jnp.exp(x)

    def tensor(self, a):
        return self.jnp.asarray(a)


_backends = {}


def backend(name):
    if name not in _backends:
        _backends[name] = _Torch() if name == 'torch' else _Jax() if name == 'jax' else _Numpy()
    return _backends[name]


# ---------------------------------------------------------------- checking what user code returns

def as_f64(x, shape, what):
    """The user's result as a float64 array of ``shape``; ESTIMATOR_INVALID naming the problem otherwise."""
    if hasattr(x, 'detach'):  # torch
        x = x.detach().cpu().numpy()
    try:
        a = np.asarray(x)
    except Exception as e:
        raise Fail('ESTIMATOR_INVALID', f'{what} is {type(x).__name__}, not an array of numbers ({e})', what)
    if a.dtype.kind not in 'fiu':
        raise Fail('ESTIMATOR_INVALID', f'{what} has dtype {a.dtype}: expected real numbers (float64 preferred)', what)
    if a.shape != tuple(shape) and not (a.size == int(np.prod(shape)) and a.ndim == 1 and len(shape) == 2 and shape[0] * shape[1] == a.size and what.endswith('gradient')):
        raise Fail('ESTIMATOR_INVALID', f'{what} has shape {tuple(a.shape)}: expected {tuple(shape)}', what)
    a = np.ascontiguousarray(a, dtype=np.float64).reshape(-1)
    bad = np.flatnonzero(~np.isfinite(a))
    if bad.size:
        i = int(bad[0])
        raise Fail('ESTIMATOR_INVALID', f'{what}[{i}] is {a[i]} ({bad.size} non-finite entries): estimates must be finite numbers', f'{what}[{i}]')
    return a


def as_scalar(x, what):
    if hasattr(x, 'detach'):
        x = x.detach().cpu().numpy()
    a = np.asarray(x)
    if a.size != 1 or a.dtype.kind not in 'fiu':
        raise Fail('ESTIMATOR_INVALID', f'{what} is {type(x).__name__} of shape {tuple(a.shape)} and dtype {a.dtype}: expected one real number', what)
    v = float(a.reshape(-1)[0])
    if not np.isfinite(v):
        raise Fail('ESTIMATOR_INVALID', f'{what} is {v}: expected a finite number', what)
    return v


def pair(r, names, what):
    if isinstance(r, dict):
        missing = [n for n in names if n not in r]
        if missing:
            raise Fail('ESTIMATOR_INVALID', f'{what} returned a dict without {", ".join(missing)}', what)
        return tuple(r[n] for n in names)
    if isinstance(r, (tuple, list)) and len(r) == 2:
        return tuple(r)
    raise Fail('ESTIMATOR_INVALID', f'{what} returned {type(r).__name__}: expected ({", ".join(names)}) as a tuple or a dict', what)


# ---------------------------------------------------------------- [T, N] layout

def time_major(cols, size):
    """Packs whole episode fragments, in order, into N ≤ 8 columns (each to the shortest column so far).

    Returns the [T, N] columns with ``mask`` and the flat index of each cell (−1 for padding).
    A cell after a column's last episode is padding (mask 0): terminated, r = 0, a = 0,
    s_t = s_tp1 = the column's last s_tp1, logp = 0, t_index = 0, episode_t = −1, and a zero
    advantage — it neither bootstraps nor carries into the real cells before it, and adds
    nothing to a return-weighted or advantage-weighted sum.
    """
    ep = cols['episode_t']
    cut = (np.flatnonzero(ep[1:] != ep[:-1]) + 1).tolist()
    bounds = list(zip([0] + cut, cut + [size]))
    n = max(1, min(8, len(bounds)))
    lengths = [0] * n
    index = np.full((size, n), -1, dtype=np.int64)
    for lo, hi in bounds:
        j = lengths.index(min(lengths))
        index[lengths[j]:lengths[j] + hi - lo, j] = np.arange(lo, hi)
        lengths[j] += hi - lo
    T = max(lengths)
    index = index[:T]
    pad = index < 0
    # padding cell (t, j) reads entry size + j of each column extended by one pad value per column
    last = index[np.array(lengths) - 1, np.arange(n)] if min(lengths) > 0 else np.array([index[max(l - 1, 0), j] for j, l in enumerate(lengths)])
    take = np.where(pad, size + np.arange(n), index)
    s_last = cols['s_tp1'][np.maximum(last, 0)]
    fills = {'s_t': s_last, 's_tp1': s_last, 'terminated_t': 1, 'truncated_t': 0, 'episode_t': -1}
    out = {}
    for k, v in cols.items():
        ext = np.empty(size + n, dtype=v.dtype)
        ext[:size] = v
        ext[size:] = fills.get(k, 0)
        out[k] = ext[take]
    out['mask'] = (~pad).astype(np.uint8)
    return out, index


# ---------------------------------------------------------------- one call

def differentiate(est, batch, theta, extra):
    """The loss the user's function returns and its gradient in θ (torch.autograd or jax.grad)."""
    b = backend(est.framework)
    tb = Batch({k: b.tensor(v) for k, v in batch.__dict__.items() if isinstance(v, np.ndarray)}, batch.size, batch.num_states, batch.num_actions, batch.gamma)
    extra_t = b.tensor(extra) if isinstance(extra, np.ndarray) else extra  # advantages: a tensor; γ: a float
    if est.framework == 'torch':
        logits = b.t.tensor(theta, dtype=b.t.float64, requires_grad=True)
        loss = est.fn(tb, Policy(logits, b), extra_t)
        if not (hasattr(loss, 'requires_grad') and hasattr(loss, 'backward')):
            raise Fail('ESTIMATOR_INVALID', f'{est.name} returned {type(loss).__name__}: expected a scalar torch tensor (the loss)', est.name)
        if loss.numel() != 1:
            raise Fail('ESTIMATOR_INVALID', f'{est.name} returned a loss of shape {tuple(loss.shape)}: expected a scalar tensor', est.name)
        if not loss.requires_grad:
            raise Fail('ESTIMATOR_INVALID', f'{est.name} returned a loss that does not depend on policy.logits (no gradient): build it from policy.log_prob(...)', est.name)
        (grad,) = b.t.autograd.grad(loss, logits, allow_unused=True)
        if grad is None:
            grad = b.t.zeros_like(logits)
        return as_scalar(loss, f'{est.name} loss'), grad
    value, grad = b.jax.value_and_grad(lambda th: est.fn(tb, Policy(th, b), extra_t).reshape(()))(b.jnp.asarray(theta))
    return as_scalar(value, f'{est.name} loss'), np.asarray(grad)


def call(est, h, cols):
    s = h['scalars']
    if est.kind == 'kl':
        x = cols['log_ratio']
        return {'estimates': as_f64(est.fn(x), x.shape, f'{est.name}(log_ratio)')}, {}
    if est.kind == 'group':
        return call_group(est, s, cols)
    if est.kind in ('policy-gradient', 'surrogate') and est.policy in CONTINUOUS_POLICIES:
        return call_continuous(est, s, cols)
    if est.kind == 'policy-gradient' and est.policy == 'mlp':
        return call_mlp(est, s, cols)
    S, A, n = s['numStates'], s['numActions'], s['size']
    flat = {k: cols[k] for k in BATCH_COLUMNS}
    if est.kind in LOSS_KINDS:
        return call_loss(est, Batch(flat, n, S, A, s['batchGamma']), s, cols)
    if est.kind == 'advantage':
        if est.layout == 'time-major':
            tn, index = time_major(flat, n)
            batch = Batch(tn, n, S, A, s['batchGamma'])
        else:
            batch, index = Batch(flat, n, S, A, s['batchGamma']), None
        r = est.fn(batch, cols['values'], s['gamma'], s['lambda'])
        adv, tgt = pair(r, ('advantages', 'targets'), f'{est.name}(batch, values, gamma, lam)')
        shape = index.shape if index is not None else (n,)
        adv, tgt = as_f64(adv, shape, f'{est.name}(…) advantages'), as_f64(tgt, shape, f'{est.name}(…) targets')
        if index is not None:
            real = index.reshape(-1) >= 0
            a2, t2 = np.empty(n), np.empty(n)
            a2[index.reshape(-1)[real]] = adv[real]
            t2[index.reshape(-1)[real]] = tgt[real]
            adv, tgt = a2, t2
        return {'advantages': adv, 'targets': tgt}, {}
    # policy-gradient and surrogate: the result is one (S, A) gradient whatever the layout
    adv = cols.get('advantages')
    if est.layout == 'time-major':
        if adv is not None:
            flat['advantages'] = adv
        tn, _ = time_major(flat, n)
        adv = tn.pop('advantages', None)
        batch = Batch(tn, n, S, A, s['batchGamma'])
    else:
        batch = Batch(flat, n, S, A, s['batchGamma'])
    theta = cols['theta'].reshape(S, A)
    if est.kind == 'policy-gradient':
        if est.loss:
            _, g = differentiate(est, batch, theta, float(s['gamma']))
            return {'gradient': -as_f64(g, (S, A), f'{est.name} gradient')}, {}
        g = est.fn(batch, Policy(theta.copy(), backend('numpy')), s['gamma'])
        return {'gradient': as_f64(g, (S, A), f'{est.name}(batch, policy, gamma) gradient')}, {}
    if est.loss:
        loss, g = differentiate(est, batch, theta, adv)
    else:
        loss, g = pair(est.fn(batch, Policy(theta.copy(), backend('numpy')), adv), ('loss', 'gradient'), f'{est.name}(batch, policy, advantages)')
        loss = as_scalar(loss, f'{est.name} loss')
    return {'gradient': as_f64(g, (S, A), f'{est.name} gradient')}, {'loss': loss}


def call_loss(est, batch, s, cols):
    """A value-loss or actor-critic estimator on one batch (flat layout): the loss and its gradients.

    value-loss: ``f(batch, values, values_old, gamma, lam)`` → ``(loss, gradient)``, ∇_V of the
    loss (shape (S,)); with ``'loss': True`` a loss of tensors in which ``values`` is a leaf
    (``values_old`` is not). actor-critic: ``f(batch, policy, values, gamma, lam)`` →
    ``(loss, grad_theta, grad_v)`` (shapes (S, A) and (S,)); with ``'loss': True`` a loss in which
    ``policy.logits`` and ``values`` are leaves: the bridge differentiates through whatever
    the function does not detach.
    """
    S, A = batch.num_states, batch.num_actions
    V, g, lam = cols['values'], float(s['gamma']), float(s['lambda'])
    what = f'{est.name}(batch, {"values, values_old" if est.kind == "value-loss" else "policy, values"}, gamma, lam)'
    if est.kind == 'value-loss':
        if est.loss:
            loss, (gv,) = differentiate_loss(est, batch, [V], lambda tb, b, leaves: est.fn(tb, leaves[0], b.tensor(cols['values_old']), g, lam))
        else:
            loss, gv = pair(est.fn(batch, V.copy(), cols['values_old'].copy(), g, lam), ('loss', 'gradient'), what)
        return {'gradient': as_f64(gv, (S,), f'{est.name} gradient')}, {'loss': as_scalar(loss, f'{est.name} loss')}
    theta = cols['theta'].reshape(S, A)
    if est.loss:
        loss, (gt, gv) = differentiate_loss(est, batch, [theta, V], lambda tb, b, leaves: est.fn(tb, Policy(leaves[0], b), leaves[1], g, lam))
    else:
        r = est.fn(batch, Policy(theta.copy(), backend('numpy')), V.copy(), g, lam)
        names = ('loss', 'grad_theta', 'grad_v')
        if isinstance(r, dict) and all(n in r for n in names):
            loss, gt, gv = (r[n] for n in names)
        elif isinstance(r, (tuple, list)) and len(r) == 3:
            loss, gt, gv = r
        else:
            raise Fail('ESTIMATOR_INVALID', f'{what} returned {type(r).__name__}: expected (loss, grad_theta, grad_v) as a tuple or a dict', what)
    return {'gradTheta': as_f64(gt, (S, A), f'{est.name} grad_theta gradient'), 'gradV': as_f64(gv, (S,), f'{est.name} grad_v')}, {'loss': as_scalar(loss, f'{est.name} loss')}


def differentiate_loss(est, batch, leaves, f):
    """The loss ``f(tensor batch, backend, leaf tensors)`` and its gradient in every leaf (torch.autograd or jax.grad)."""
    b = backend(est.framework)
    tb = Batch({k: b.tensor(v) for k, v in batch.__dict__.items() if isinstance(v, np.ndarray)}, batch.size, batch.num_states, batch.num_actions, batch.gamma)
    if est.framework == 'torch':
        ts = [b.t.tensor(np.array(x), dtype=b.t.float64, requires_grad=True) for x in leaves]
        loss = f(tb, b, ts)
        if not (hasattr(loss, 'requires_grad') and hasattr(loss, 'backward')) or loss.numel() != 1:
            raise Fail('ESTIMATOR_INVALID', f'{est.name} returned {type(loss).__name__}: expected a scalar torch tensor (the loss)', est.name)
        if not loss.requires_grad:
            raise Fail('ESTIMATOR_INVALID', f'{est.name} returned a loss that depends on none of its inputs (no gradient)', est.name)
        grads = b.t.autograd.grad(loss, ts, allow_unused=True)
        return as_scalar(loss, f'{est.name} loss'), [b.t.zeros_like(t) if gr is None else gr for t, gr in zip(ts, grads)]
    value, grads = b.jax.value_and_grad(lambda xs: f(tb, b, xs).reshape(()))([b.jnp.asarray(x) for x in leaves])
    return as_scalar(value, f'{est.name} loss'), [np.asarray(x) for x in grads]

class GaussianPolicy:
    """A Gaussian (or tanh-squashed Gaussian) policy over continuous actions, read-only (numpy).

    ``head`` 'linear': μ(x) = −K x with θ = [vec K (k × d, row-major), log σ (k)] (the LQR);
    'constant': μ = θ[:k], θ = [μ, log σ] (a bandit). Actions are the sampled ones
    (``batch.a_cont_t``: the pre-squash u for 'tanh-gaussian'); for 'tanh-gaussian'
    log π = log N(u; μ, σ) − Σ log(1 − tanh² u), whose θ-gradient is the Gaussian score at u.
    """

    def __init__(self, theta, family, linear, obs_dim, action_dim):
        self._theta, self.family, self.head = theta, family, 'linear' if linear else 'constant'
        self.obs_dim, self.action_dim, self.num_params = obs_dim, action_dim, int(theta.size)
        self.log_std_offset = action_dim * obs_dim if linear else action_dim

    @property
    def theta(self):
        return self._theta.copy()

    def mean(self, obs):
        """μ(x), shape (..., k) for obs of shape (..., d)."""
        obs, k, d = np.asarray(obs, dtype=np.float64), self.action_dim, self.obs_dim
        if self.head == 'linear':
            return -(obs @ self._theta[:k * d].reshape(k, d).T)
        return np.broadcast_to(self._theta[:k], obs.shape[:-1] + (k,)).copy()

    def log_std(self):
        return self._theta[self.log_std_offset:self.log_std_offset + self.action_dim].copy()

    def log_prob(self, obs, a):
        """log π(a|x), elementwise over leading dimensions: obs (..., d), a (..., k)."""
        a, ls = np.asarray(a, dtype=np.float64), self.log_std()
        z = (a - self.mean(obs)) * np.exp(-ls)
        lp = np.sum(-0.5 * z * z - ls - 0.5 * np.log(2 * np.pi), axis=-1)
        if self.family == 'tanh-gaussian':
            u = np.abs(a)  # log(1 − tanh² u) = 2(log 2 − |u| − log1p(e^{−2|u|})), stable
            lp = lp - np.sum(2 * (np.log(2) - u - np.log1p(np.exp(-2 * u))), axis=-1)
        return lp

    def log_probs(self, batch):
        return self.log_prob(batch.obs_t, batch.a_cont_t)

    def score_sum(self, batch, c):
        """Σ_t c_t ∇_θ log π(a_cont_t | obs_t), shape (P,)."""
        return self._score(batch.obs_t, batch.a_cont_t, np.asarray(c, dtype=np.float64).reshape(-1))

    def score(self, obs, a):
        """∇_θ log π(a|x) for one observation and action, shape (P,)."""
        return self._score(np.asarray(obs, dtype=np.float64).reshape(1, -1), np.asarray(a, dtype=np.float64).reshape(1, -1), np.ones(1))

    def _score(self, obs, a, c):
        k, d, ls = self.action_dim, self.obs_dim, self.log_std()
        inv = np.exp(-ls)
        z = (a - self.mean(obs)) * inv
        g_mu = c[:, None] * z * inv
        out = np.zeros(self.num_params)
        if self.head == 'linear':
            out[:k * d] = -(g_mu.T @ obs).reshape(-1)  # ∂μ_i/∂K_ij = −x_j
        else:
            out[:k] = g_mu.sum(axis=0)
        out[self.log_std_offset:self.log_std_offset + k] = (c[:, None] * (z * z - 1)).sum(axis=0)
        return out


def unflatten(w, sizes):
    """The per-layer ``[(W_0, b_0), …, (W_{L−1}, b_{L−1})]`` of pgtruth's flat MLP parameters ``w``.

    The layout (src/policy/mlp.ts): for a network of widths ``sizes`` = [n_0, n_1, …, n_L],
    layer after layer, first W_l (n_{l+1} × n_l, row-major: row j is output unit j, as
    ``torch.nn.Linear(n_l, n_{l+1}).weight``), then b_l (n_{l+1}); so
    ``w[o_l + j·n_l + i] = W_l[j, i]`` and ``w[o_l + n_{l+1}·n_l + j] = b_l[j]`` with o_0 = 0,
    o_{l+1} = o_l + n_{l+1}(n_l + 1), and P = Σ_l n_{l+1}(n_l + 1). The network is
    h_0 = φ(s), z_l = W_l h_l + b_l, h_{l+1} = σ(z_l) for l < L−1, logits = z_{L−1}.

    Works on a numpy array, a torch tensor (the blocks are views: autograd flows through them
    to ``w``) or a jax array. Raises ValueError when ``w`` has not P entries.
    """
    sizes = [int(n) for n in sizes]
    P = sum(m * (n + 1) for n, m in zip(sizes[:-1], sizes[1:]))
    if len(w.shape) != 1 or w.shape[0] != P:
        raise ValueError(f'w has shape {tuple(w.shape)}: an MLP of widths {sizes} has P = {P} parameters')
    out, o = [], 0
    for n, m in zip(sizes[:-1], sizes[1:]):
        out.append((w[o:o + m * n].reshape(m, n), w[o + m * n:o + m * (n + 1)]))
        o += m * (n + 1)
    return out


def flatten(layers):
    """The inverse of :func:`unflatten`: ``[(W_l, b_l), …]`` (or their gradients, e.g.
    ``(lin.weight.grad, lin.bias.grad)`` of ``torch.nn.Linear`` layers) as one flat vector in
    pgtruth's layout — a torch tensor for torch input, a numpy array otherwise."""
    parts = [x.reshape(-1) for pair in layers for x in pair]
    if parts and hasattr(parts[0], 'detach'):
        import torch
        return torch.cat(parts)
    import numpy
    return numpy.concatenate([numpy.asarray(x, dtype=numpy.float64) for x in parts])


class MlpPolicy:
    """The MLP policy view: π_w(·|s) = softmax(f_w(φ(s))) on a tabular MDP — the data, not the computation.

    ``weights``: w, shape (P,), float64 (a fresh copy per call; under ``'loss': True`` a leaf
    tensor that requires grad, or jax's traced array), in :func:`unflatten`'s layout.
    ``sizes``: the widths (n_0, …, n_L), n_L = A. ``activation``: the hidden layers'
    σ — 'tanh'; 'relu' (σ′(0) = 0, as PyTorch); 'swish' z·sigmoid(z) (= torch's SiLU) — the
    last layer is linear. ``features``: φ(s) for every state, shape (S, n_0) (one-hot rows
    for the built-in instances), so the inputs of a batch are ``features[batch.s_t]``.
    ``num_states``, ``num_actions``, ``num_params``. :meth:`layers` unflattens w.

    The user's function computes the logits and Σ_t c_t ∇_w log π_w(a_t|s_t) itself: that is
    what pgtruth checks. ``batch.logp_t`` holds the sampler's log π_w(a_t|s_t), a check of the
    forward pass.
    """

    def __init__(self, weights, sizes, activation, features):
        self.weights, self.sizes, self.activation, self.features = weights, tuple(int(n) for n in sizes), activation, features
        self.num_states, self.num_actions, self.num_params = int(features.shape[0]), self.sizes[-1], int(weights.shape[0])

    def layers(self, w=None):
        """``[(W_l, b_l), …]`` of ``w`` (default: this view's weights), W_l of shape (n_{l+1}, n_l): :func:`unflatten`."""
        return unflatten(self.weights if w is None else w, self.sizes)

    def __repr__(self):
        return f'MlpPolicy(sizes={self.sizes}, activation={self.activation!r}, num_params={self.num_params})'


def call_mlp(est, s, cols):
    """An MLP-policy estimator on one Batch: its ∇_w J estimate, shape (P,) (or −∇_w of its loss)."""
    S, A, n = int(s['numStates']), int(s['numActions']), int(s['size'])
    sizes = [int(x) for x in cols['sizes']]
    features, w = cols['features'].reshape(S, sizes[0]), cols['weights']
    batch = Batch({k: cols[k] for k in BATCH_COLUMNS}, n, S, A, s['batchGamma'])
    what = f'{est.name}(batch, policy, gamma) gradient'
    if not est.loss:
        g = est.fn(batch, MlpPolicy(np.array(w, dtype=np.float64), sizes, s['activation'], np.array(features)), s['gamma'])
        return {'gradient': as_f64(g, (w.size,), what)}, {}
    b = backend(est.framework)
    tb = Batch({k: b.tensor(v) for k, v in batch.__dict__.items() if isinstance(v, np.ndarray)}, n, S, A, batch.gamma)
    if est.framework == 'torch':
        leaf = b.t.tensor(np.array(w), dtype=b.t.float64, requires_grad=True)
        loss = est.fn(tb, MlpPolicy(leaf, sizes, s['activation'], b.tensor(features)), float(s['gamma']))
        if not (hasattr(loss, 'requires_grad') and hasattr(loss, 'backward')) or loss.numel() != 1:
            raise Fail('ESTIMATOR_INVALID', f'{est.name} returned {type(loss).__name__}: expected a scalar torch tensor (the loss)', est.name)
        if not loss.requires_grad:
            raise Fail('ESTIMATOR_INVALID', f'{est.name} returned a loss that does not depend on policy.weights (no gradient): build the network from policy.layers()', est.name)
        (g,) = b.t.autograd.grad(loss, leaf, allow_unused=True)
        g = b.t.zeros_like(leaf) if g is None else g
    else:
        _, g = b.jax.value_and_grad(lambda x: est.fn(tb, MlpPolicy(x, sizes, s['activation'], b.tensor(features)), float(s['gamma'])).reshape(()))(b.jnp.asarray(np.array(w)))
    return {'gradient': -as_f64(g, (w.size,), f'{est.name} gradient')}, {}


class GaussianMlpPolicy:
    """A Gaussian or tanh-Gaussian head on an MLP, read-only: the data, not the computation (numpy).

    π_w(u|x) = N(u; μ_w(x), diag σ_w(x)²) ('gaussian'), or the law of a = tanh(u)
    ('tanh-gaussian': log π = log N(u; μ, σ) − Σ log(1 − tanh² u)); actions are the sampled u
    (``batch.a_cont_t``). ``weights``: w, shape (P,), float64 (a fresh copy per view): first the
    network's parameters in :func:`unflatten`'s layout (torch.nn.Linear's, P_net of them), then,
    when ``log_std_mode`` is 'state-independent', log σ (k entries) at ``log_std_offset`` = P_net.
    ``sizes``: the widths (obs_dim, …, n_L): the network's output row f_w(x) is μ_w(x) = f[:k]
    when log σ is state-independent (n_L = k); when it is 'state-dependent' (n_L = 2k),
    μ_w(x) = f[:k] and log σ_w(x) = f[k:2k], and ``log_std_offset`` is None. ``activation``:
    the hidden layers' σ ('tanh', 'relu', 'swish'); the last layer is linear. ``family``,
    ``obs_dim`` (d), ``action_dim`` (k), ``num_params`` (P), ``num_net_params`` (P_net).
    :meth:`layers` unflattens the network's part of w.

    The user's function computes μ, log σ, log π and its gradient in w itself (autograd or by
    hand): that is what pgtruth checks. ``batch.logp_t`` holds the sampler's log π_w(u_t|x_t).
    """

    def __init__(self, weights, sizes, activation, family, state_dependent, obs_dim, action_dim):
        self.weights, self.sizes, self.activation, self.family = weights, tuple(int(n) for n in sizes), activation, family
        self.log_std_mode = 'state-dependent' if state_dependent else 'state-independent'
        self.obs_dim, self.action_dim, self.num_params = obs_dim, action_dim, int(weights.shape[0])
        self.num_net_params = sum(m * (n + 1) for n, m in zip(self.sizes[:-1], self.sizes[1:]))
        self.log_std_offset = None if state_dependent else self.num_net_params

    def layers(self, w=None):
        """``[(W_l, b_l), …]`` of the network's part of ``w`` (default: this view's weights): :func:`unflatten`."""
        w = self.weights if w is None else w
        return unflatten(w[:self.num_net_params], self.sizes)

    def __repr__(self):
        return f'GaussianMlpPolicy(family={self.family!r}, sizes={self.sizes}, activation={self.activation!r}, log_std_mode={self.log_std_mode!r}, num_params={self.num_params})'


CONTINUOUS_COLUMNS = ('obs_t', 'obs_tp1', 'a_cont_t', 'a_env_t', 'v_t', 'v_tp1')


def call_continuous(est, s, cols):
    """A continuous-policy estimator on one ContinuousBatch: its ∇_θ J estimate, shape (P,), or a surrogate's loss and gradient."""
    n, d, k = int(s['size']), int(s['obsDim']), int(s['actionDim'])
    flat = {c: cols[c] for c in BATCH_COLUMNS}
    flat.update(obs_t=cols['obs_t'].reshape(n, d), obs_tp1=cols['obs_tp1'].reshape(n, d), a_cont_t=cols['a_cont_t'].reshape(n, k), a_env_t=cols['a_env_t'].reshape(n, k), v_t=cols['v_t'], v_tp1=cols['v_tp1'])
    batch = Batch(flat, n, int(s['numStates']), int(s['numActions']), s['batchGamma'])
    batch.obs_dim, batch.action_dim = d, k
    theta = np.array(cols['theta'], dtype=np.float64)
    if est.policy in ('gaussian-mlp', 'tanh-gaussian-mlp'):
        policy = GaussianMlpPolicy(theta.copy(), [int(x) for x in cols['sizes']], s['activation'], 'tanh-gaussian' if s['tanh'] else 'gaussian', bool(s['stateDependent']), d, k)
    else:
        policy = GaussianPolicy(theta.copy(), est.policy, bool(s['linearHead']), d, k)
    if est.kind == 'surrogate':
        loss, g = pair(est.fn(batch, policy, cols['advantages'].copy()), ('loss', 'gradient'), f'{est.name}(batch, policy, advantages)')
        return {'gradient': as_f64(g, (theta.size,), f'{est.name} gradient')}, {'loss': as_scalar(loss, f'{est.name} loss')}
    g = est.fn(batch, policy, s['gamma'])
    return {'gradient': as_f64(g, (theta.size,), f'{est.name}(batch, policy, gamma) gradient')}, {}


class GroupBatch:
    """B prompts × G responses × T tokens (N = B·G responses), as pgtruth's GroupBatch.

    Per token, shape (N, T): s_t, a_t, logp_t, r_t, mask (1 on a response's tokens, 0 on
    padding). Per response, (N,): rewards (the sequence reward), lengths. Per group, (B,):
    prompts. Scalars num_prompts, group_size, max_tokens, num_states, num_actions.
    """

    def __init__(self, columns, s):
        self.num_prompts, self.group_size, self.max_tokens = int(s['numPrompts']), int(s['groupSize']), int(s['maxTokens'])
        self.num_states, self.num_actions = int(s['numStates']), int(s['numActions'])
        N, T = self.num_prompts * self.group_size, self.max_tokens
        for k, v in columns.items():
            setattr(self, k, v.reshape(N, T) if isinstance(v, np.ndarray) and v.ndim == 1 and k not in ('rewards', 'lengths', 'prompts') else v)

    def __repr__(self):
        return f'GroupBatch(num_prompts={self.num_prompts}, group_size={self.group_size}, max_tokens={self.max_tokens})'


def call_group(est, s, cols):
    """A group estimator on one GroupBatch: per-token advantages (N·T), or the loss and its gradient."""
    kl = s.get('part') == 'klPenalty'  # the KL-to-reference term, on a batch that carries logpRef_t
    batch = GroupBatch({k: cols[k] for k in GROUP_COLUMNS + (('logpRef_t',) if kl else ())}, s)
    S, A = batch.num_states, batch.num_actions
    N, T = batch.num_prompts * batch.group_size, batch.max_tokens
    theta = cols['theta'].reshape(S, A)
    fn, name = (est.kl_fn, f'{est.name}.klPenalty') if kl else (est.fn, est.name)
    if est.loss:
        loss, g = differentiate_group(est, batch, theta, fn, name)
        return {'gradient': as_f64(g, (S, A), f'{name} gradient')}, {'loss': loss}
    adv = fn(batch, Policy(theta.copy(), backend('numpy')))
    return {'advantages': as_f64(adv, (N, T), f'{name}(batch, policy) {"coefficients" if kl else "advantages"}')}, {}


def differentiate_group(est, batch, theta, fn=None, name=None):
    """The loss a group estimator (or its klPenalty) returns and its gradient in θ (torch.autograd or jax.grad)."""
    fn, name = fn or est.fn, name or est.name
    b = backend(est.framework)
    tb = GroupBatch({k: b.tensor(v) for k, v in batch.__dict__.items() if isinstance(v, np.ndarray)}, {'numPrompts': batch.num_prompts, 'groupSize': batch.group_size, 'maxTokens': batch.max_tokens, 'numStates': batch.num_states, 'numActions': batch.num_actions})
    if est.framework == 'torch':
        logits = b.t.tensor(theta, dtype=b.t.float64, requires_grad=True)
        loss = fn(tb, Policy(logits, b))
        if not (hasattr(loss, 'requires_grad') and hasattr(loss, 'backward')) or loss.numel() != 1:
            raise Fail('ESTIMATOR_INVALID', f'{name} returned {type(loss).__name__}: expected a scalar torch tensor (the loss)', name)
        if not loss.requires_grad:
            raise Fail('ESTIMATOR_INVALID', f'{name} returned a loss that does not depend on policy.logits (no gradient): build it from policy.log_prob(...)', name)
        (grad,) = b.t.autograd.grad(loss, logits, allow_unused=True)
        return as_scalar(loss, f'{name} loss'), (b.t.zeros_like(logits) if grad is None else grad)
    value, grad = b.jax.value_and_grad(lambda th: fn(tb, Policy(th, b)).reshape(()))(b.jnp.asarray(theta))
    return as_scalar(value, f'{name} loss'), np.asarray(grad)


# ---------------------------------------------------------------- the wire

DTYPES = {'f8': '<f8', 'i4': '<i4', 'u1': 'u1'}


class Wire:
    def __init__(self, req, resp, shm_in, shm_out):
        self.req, self.resp = req, resp
        self.shm_in_path, self.shm_out_path = shm_in, shm_out
        self.shm_in = None
        self.shm_out_fd = None

    def read_exact(self, n):
        buf = bytearray(n)
        view, got = memoryview(buf), 0
        while got < n:
            k = self.req.readinto(view[got:])
            if not k:
                raise EOFError
            got += k
        return buf

    def receive(self):
        (n,) = struct.unpack('<I', self.read_exact(4))
        h = json.loads(self.read_exact(n))
        size = h.get('bytes', 0)
        if h.get('shm'):
            if self.shm_in is None or len(self.shm_in) < size:
                # the old map is dropped, not closed: arrays the user kept may still point into it
                fd = os.open(self.shm_in_path, os.O_RDONLY)
                self.shm_in = mmap.mmap(fd, os.fstat(fd).st_size, access=mmap.ACCESS_READ)
                os.close(fd)
            data = self.shm_in
        else:
            data = self.read_exact(size) if size else b''
        cols = {c['name']: np.frombuffer(data, dtype=DTYPES[c['dtype']], count=c['count'], offset=c['offset']) for c in h.get('cols', [])}
        for a in cols.values():
            a.flags.writeable = False  # views of the request (the shared-memory file is reused): read-only, small or large
        return h, cols

    def send(self, header, arrays=None):
        arrays = arrays or {}
        cols, off, parts = [], 0, []
        for name, a in arrays.items():
            cols.append({'name': name, 'dtype': 'f8', 'count': int(a.size), 'offset': off})
            parts.append(a)
            off += a.nbytes
        header = dict(header, cols=cols, bytes=off, shm=off > INLINE_LIMIT)
        hb = json.dumps(header).encode()
        if header['shm']:
            if self.shm_out_fd is None:
                self.shm_out_fd = os.open(self.shm_out_path, os.O_RDWR | os.O_CREAT, 0o600)
            pos = 0
            for a in parts:
                os.pwrite(self.shm_out_fd, memoryview(a).cast('B'), pos)
                pos += a.nbytes
            self.resp.write(struct.pack('<I', len(hb)) + hb)
        else:
            self.resp.write(b''.join([struct.pack('<I', len(hb)), hb] + [a.tobytes() for a in parts]))
        self.resp.flush()


def error_reply(e):
    if isinstance(e, Fail):
        return {'ok': False, 'code': e.code, 'message': e.message, 'where': e.where}
    tb = traceback.format_exc()
    return {'ok': False, 'code': 'PYTHON_ERROR', 'message': f'{type(e).__name__}: {e}\n{tb}', 'where': None}


def arm(seconds):
    """A hang anywhere — in user code, in C, holding the GIL — ends with SIGALRM's default action: the process dies."""
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    signal.setitimer(signal.ITIMER_REAL, seconds)


def connect(req_path, resp_path, shm_in, shm_out):
    """Opens the pipes (the request pipe first, as Node does), says hello, and waits for Node's acknowledgement."""
    req = open(req_path, 'rb', buffering=0)
    resp = open(resp_path, 'wb', buffering=0)
    wire = Wire(req, resp, shm_in, shm_out)
    wire.send({'ok': True, 'hello': True, 'pid': os.getpid()})
    wire.read_exact(4)  # Node holds a blocking reader of the reply pipe now
    return wire


def ready(estimators):
    return {'ok': True, 'estimators': [e.describe() for e in estimators], 'python': sys.version.split()[0], 'numpy': np.__version__}


def serve(argv):
    opts = dict(zip(argv[0::2], argv[1::2]))
    limit = float(opts.get('--timeout', '0'))
    wire = connect(opts['--req'], opts['--resp'], opts['--shm-in'], opts['--shm-out'])
    global np
    try:
        import numpy
        np = numpy
    except ImportError as e:
        wire.send({'ok': False, 'code': 'PYTHON_UNAVAILABLE', 'message': f'{sys.executable} cannot import numpy ({e}): apt-get install python3-numpy (Debian/Ubuntu) or pip install numpy, or pass --python with an interpreter that has it', 'where': 'numpy'})
        return
    try:
        arm(float(opts.get('--startup-timeout', '120')))
        estimators = load_module(opts['--module'])
        arm(0)
        wire.send(ready(estimators))
    except Exception as e:
        arm(0)
        wire.send(error_reply(e))
        return
    answer(wire, estimators, limit)


def fork_worker(child, estimators, limit, parent):
    """A copy of this process — numpy, torch and the user's module already imported — serving its own pipes (for one of Node's worker threads)."""
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the children reap themselves
    pid = os.fork()
    if pid:
        return pid
    try:
        fd = os.open(child['stderr'], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.close(fd)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        parent.req.close()  # else the parent's reader would not see end-of-file when the parent dies
        parent.resp.close()
        watch_parent(os.getppid(), os.path.dirname(child['req']))
        wire = connect(child['req'], child['resp'], child['shm_in'], child['shm_out'])
        wire.send(ready(estimators))
        answer(wire, estimators, limit)
    except BaseException:
        traceback.print_exc()
    finally:
        os._exit(0)


def watch_parent(ppid, private_dir):
    """Ends this forked worker when its parent is gone (Node killed, the parent worker exited) — also while it still waits for a thread to connect."""
    import shutil
    import threading
    import time

    def watch():
        while os.getppid() == ppid:
            time.sleep(0.5)
        shutil.rmtree(private_dir, ignore_errors=True)
        os._exit(0)
    threading.Thread(target=watch, daemon=True).start()


def answer(wire, estimators, limit):
    """Answers requests until Node closes the pipe or says exit."""
    while True:
        try:
            h, cols = wire.receive()
        except EOFError:
            return
        op = h.get('op')
        if op == 'exit':
            return
        if op == 'fork':
            pids = [fork_worker(c, estimators, limit, wire) for c in h['children']]
            wire.send({'ok': True, 'pids': pids})
            continue
        try:
            if limit > 0:
                arm(limit)
            arrays, scalars = call(estimators[h['index']], h, cols)
            if limit > 0:
                arm(0)
            wire.send({'ok': True, 'scalars': scalars}, arrays)
        except Exception as e:
            if limit > 0:
                arm(0)
            wire.send(error_reply(e))


# ---------------------------------------------------------------- pytest helper

def assert_check_passes(module, *args, pgtruth=None, timeout=None):
    """Runs ``pgtruth check MODULE --json ARGS…`` and raises AssertionError with the verdicts unless every claim passes.

    ``pgtruth``: the command, as a list (default: ``node <this package>/bin/pgtruth.js``, or the
    ``PGTRUTH`` environment variable split on spaces). Returns the parsed JSON report.

    Example (pytest)::

        from pgtruth_bridge import assert_check_passes
        def test_my_gae_is_unbiased():
            assert_check_passes('my_gae.py', '--samples', '96000')
    """
    if pgtruth is None:
        env = os.environ.get('PGTRUTH')
        here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        pgtruth = env.split() if env else ['node', os.path.join(here, 'bin', 'pgtruth.js')]
    cmd = list(pgtruth) + ['check', str(module), '--json', *map(str, args)]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if r.returncode == 2 or not r.stdout.strip():
        raise AssertionError(f'pgtruth check {module} could not run (exit {r.returncode}): {r.stderr.strip()}')
    report = json.loads(r.stdout)
    claims = report.get('claims', report.get('results', []))
    bad = [c for c in claims if c.get('verdict') != 'pass']
    if r.returncode != 0 or bad:
        lines = []
        for c in bad:
            failing = [f"{k.get('instance')} (|z| = {k.get('discrepancy', float('nan')):.1f} > {k.get('tolerance', float('nan')):.1f})" for k in c.get('checks', []) if not k.get('passed')]
            lines.append(f"{c.get('verdict', '?').upper()} {c.get('id')}: {c.get('error') or '; '.join(failing)}")
        raise AssertionError(f'pgtruth check {module}: {len(bad)} claim(s) did not pass (exit {r.returncode}):\n' + '\n'.join(lines))
    return report


def _remove_private_dir(argv):
    d = os.path.dirname(dict(zip(argv[0::2], argv[1::2])).get('--req', ''))
    if os.path.basename(d).startswith('pgtruth-py-'):
        import shutil
        shutil.rmtree(d, ignore_errors=True)


if __name__ == '__main__':
    if len(sys.argv) > 1 and sys.argv[1] == 'serve':
        try:
            serve(sys.argv[2:])
        except EOFError:
            pass
        # Node is gone or done: nothing of this worker stays in /dev/shm (after a crash, Node reads stderr there, then removes it)
        _remove_private_dir(sys.argv[2:])
    else:
        sys.stderr.write('usage: pgtruth_bridge.py serve --req FIFO --resp FIFO --module PATH[:FUNCTION] --shm-in FILE --shm-out FILE [--timeout S]\n'
                         '(started by `pgtruth check my_module.py`; from pytest use pgtruth_bridge.assert_check_passes)\n')
        sys.exit(2)
