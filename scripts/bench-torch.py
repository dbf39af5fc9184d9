"""The book's GPT in PyTorch, timed as `pnpm bench` times it: a training step (forward,
backward, Adam with gradient clipping), a forward pass, and sampling 512 answers without a
key/value cache. On one thread, for comparison with TensorFlow.js's single-threaded wasm:

    OMP_NUM_THREADS=1 python3 scripts/bench-torch.py [--repeats N]

Needs PyTorch (on Debian: apt-get install python3-torch). Not part of the tests.
"""
import argparse
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

    def forward(self, x):
        B, T, _ = x.shape
        q, k, v = self.wqkv(self.ln1(x)).split(D, dim=-1)
        heads = lambda t: t.view(B, T, HEADS, D // HEADS).transpose(1, 2)
        scores = heads(q) @ heads(k).transpose(-1, -2) / math.sqrt(D // HEADS)
        mask = torch.ones(T, T, dtype=torch.bool).tril()
        y = scores.masked_fill(~mask, -1e9).softmax(-1) @ heads(v)
        x = x + self.wo(y.transpose(1, 2).reshape(B, T, D))
        return x + self.mlp(self.ln2(x))


class Gpt(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.wte, self.wpe = torch.nn.Embedding(V, D), torch.nn.Embedding(CONTEXT, D)
        self.blocks = torch.nn.ModuleList(Block() for _ in range(LAYERS))
        self.lnf = torch.nn.LayerNorm(D, eps=1e-5)
        self.head = torch.nn.Linear(D, V, bias=False)

    def forward(self, tokens):
        x = self.wte(tokens) + self.wpe(torch.arange(tokens.shape[1]))
        for block in self.blocks:
            x = block(x)
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
        sequences = prompts
        for _ in range(NEW):  # no key/value cache: the whole prefix again for every token
            probs = model(sequences)[:, -1].softmax(-1)
            sequences = torch.cat([sequences, torch.multinomial(probs, 1)], dim=1)

    params = sum(p.numel() for p in model.parameters())
    print(f"PyTorch {torch.__version__}, {torch.get_num_threads()} thread; the book's GPT: {params} parameters")
    for name, fn, n in [("training step", step, args.repeats), ("forward", forward, args.repeats), ("respond(512)", respond, max(1, args.repeats // 10))]:
        print(f"{name:14} {per_call(fn, n) * 1000:9.2f} ms")


if __name__ == "__main__":
    main()
