"""The book's GPT in PyTorch, timed as `pnpm bench` times it: a training step (forward,
backward, Adam with gradient clipping), a forward pass, and sampling 512 answers, with a
key/value cache as the book samples and, for reference, without one. On one thread, for
comparison with TensorFlow.js's single-threaded wasm:

    OMP_NUM_THREADS=1 python3 scripts/bench-torch.py [--repeats N] [--json]

`pnpm bench` runs it itself when PyTorch is installed (on Debian: apt-get install
python3-torch) and prints the two side by side. Not part of the tests.
"""
import argparse
import json
import math
import time

import torch

V, CONTEXT, D, HEADS, LAYERS = 14, 12, 32, 4, 2  # as GPT_CONFIG in src/workbench/base.ts
BATCH, TOKENS = 32, 11  # as the workbench's demonstrations: `^dddd=dddd$`, 10 inputs and 10 targets
PROMPT, NEW = 6, 6  # `^dddd=` and at most six answer tokens


class Block(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.ln1, self.ln2 = torch.nn.LayerNorm(D, eps=1e-5), torch.nn.LayerNorm(D, eps=1e-5)
        self.wqkv = torch.nn.Linear(D, 3 * D, bias=False)
        self.wo = torch.nn.Linear(D, D, bias=False)
        self.mlp = torch.nn.Sequential(torch.nn.Linear(D, 4 * D), torch.nn.ReLU(), torch.nn.Linear(4 * D, D))

    def forward(self, x, cache=None):
        """x [B, T, D] at the positions after the cached ones; cache: (keys, values) or None."""
        B, T, _ = x.shape
        q, k, v = self.wqkv(self.ln1(x)).split(D, dim=-1)
        heads = lambda t: t.view(B, T, HEADS, D // HEADS).transpose(1, 2)
        q, k, v = heads(q), heads(k), heads(v)
        if cache is not None:
            k, v = torch.cat([cache[0], k], dim=2), torch.cat([cache[1], v], dim=2)
        scores = q @ k.transpose(-1, -2) / math.sqrt(D // HEADS)
        if T > 1:
            past = k.shape[2] - T
            mask = torch.ones(T, past + T, dtype=torch.bool).tril(diagonal=past)
            scores = scores.masked_fill(~mask, -1e9)
        y = scores.softmax(-1) @ v
        x = x + self.wo(y.transpose(1, 2).reshape(B, T, D))
        return x + self.mlp(self.ln2(x)), (k, v)


class Gpt(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.wte, self.wpe = torch.nn.Embedding(V, D), torch.nn.Embedding(CONTEXT, D)
        self.blocks = torch.nn.ModuleList(Block() for _ in range(LAYERS))
        self.lnf = torch.nn.LayerNorm(D, eps=1e-5)
        self.head = torch.nn.Linear(D, V, bias=False)

    def forward(self, tokens, caches=None):
        """Logits [B, T, V]; with `caches` (a list, one entry per layer) read after them."""
        past = 0 if not caches or caches[0] is None else caches[0][0].shape[2]
        x = self.wte(tokens) + self.wpe(torch.arange(past, past + tokens.shape[1]))
        for i, block in enumerate(self.blocks):
            x, kv = block(x, caches[i] if caches is not None else None)
            if caches is not None:
                caches[i:i + 1] = [kv]
        return self.head(self.lnf(x))


def per_call(fn, repeats):
    fn()
    start = time.perf_counter()
    for _ in range(repeats):
        fn()
    return (time.perf_counter() - start) / repeats


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--json", action="store_true", help="print the times as one JSON object")
    args = parser.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(1)
    model = Gpt()
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    tokens = torch.randint(0, 10, (BATCH, TOKENS))
    mask = torch.zeros(BATCH, TOKENS - 1)
    mask[:, PROMPT - 1 :] = 1
    prompts = torch.randint(0, 10, (512, PROMPT))

    def step():
        logits = model(tokens[:, :-1])
        logp = logits.log_softmax(-1).gather(-1, tokens[:, 1:, None])[..., 0]
        loss = -(logp * mask).sum() / mask.sum()
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()

    @torch.no_grad()
    def forward():
        model(tokens[:, :-1])

    @torch.no_grad()
    def respond():
        caches = [None] * LAYERS  # keys and values of the positions read, per layer
        unread = prompts
        for _ in range(NEW):
            probs = model(unread, caches)[:, -1].softmax(-1)
            unread = torch.multinomial(probs, 1)

    @torch.no_grad()
    def respond_uncached():
        sequences = prompts
        for _ in range(NEW):  # the whole prefix again for every token
            probs = model(sequences)[:, -1].softmax(-1)
            sequences = torch.cat([sequences, torch.multinomial(probs, 1)], dim=1)

    with torch.no_grad():  # the cache reads what the whole sequence gives
        caches = [None] * LAYERS
        cached = [model(prompts[:, :PROMPT], caches)[:, -1]]
        sequences = torch.cat([prompts, torch.randint(0, 10, (512, NEW - 1))], dim=1)
        for t in range(PROMPT, PROMPT + NEW - 1):
            cached.append(model(sequences[:, t:t + 1], caches)[:, -1])
        full = model(sequences)[:, PROMPT - 1:]
        assert torch.allclose(torch.stack(cached, 1), full, atol=1e-5), "the cache reads wrongly"

    params = sum(p.numel() for p in model.parameters())
    few = max(1, args.repeats // 10)
    work = [("training step", step, args.repeats), ("forward", forward, args.repeats),
            ("respond(512)", respond, few), ("respond(512), no cache", respond_uncached, few)]
    ms = {name: per_call(fn, n) * 1000 for name, fn, n in work}
    if args.json:
        print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "ms": ms}))
        return
    print(f"PyTorch {torch.__version__}, {torch.get_num_threads()} thread; the book's GPT: {params} parameters")
    for name, value in ms.items():
        print(f"{name:22} {value:9.2f} ms")


if __name__ == "__main__":
    main()
