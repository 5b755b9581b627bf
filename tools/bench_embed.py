#!/usr/bin/python3
"""Issue 15, item 3: `clapaudit embed --backbones-only` with full-size CNN14 and BERT-base (random weights) against the
same pipeline in PyTorch, clips per second, one whole process each, the same threads.

    /usr/bin/python3 tools/bench_embed.py write ESC50_DIR BERT_DIR CLIPS BERT_BIN
    /usr/bin/python3 tools/bench_embed.py run ESC50_DIR CNN14_PTH BERT_BIN THREADS BATCH

write: an ESC-50 folder (meta/esc50.csv, audio/*.wav: CLIPS five-second 44.1 kHz mono 16-bit clips, 50 classes, noise
       shaped per class) and a Hugging Face bert-base-uncased folder (config.json, the real vocab.txt, pytorch_model.bin
       linked to BERT_BIN).
run:   the PyTorch reference, as a user would tune it: soundfile decoding on a pool of THREADS threads with the next
       batch decoded while the model runs on this one; z-normalised 5 s clips; the log-mel of tools/bench_logmel.py
       (torch.stft, Slaney mel 64 bins, 50-14000 Hz, 10 log10); CNN14 in eval mode (tools/make_model_fixtures.py's
       module, the checkpoint's weights); the 50 prompts "this is a sound of {class}" through BERT-base padded to the
       longest prompt (as embed does; the real WordPiece vocabulary, greedy longest match), [CLS] of the last layer. Prints
       "pytorch clips=N load_s=... audio_s=... text_s=... total_s=... clips_per_s=... peak_rss_mb=...".
"""
import concurrent.futures
import csv
import json
import os
import resource
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
VOCAB = os.path.join(HERE, '..', 'tests', 'fixtures', 'text', 'bert-base-uncased-vocab.txt')
SR, SECONDS = 44100, 5

BERT_CONFIG = {"architectures": ["BertForMaskedLM"], "attention_probs_dropout_prob": 0.1, "hidden_act": "gelu",
               "hidden_dropout_prob": 0.1, "hidden_size": 768, "initializer_range": 0.02, "intermediate_size": 3072,
               "layer_norm_eps": 1e-12, "max_position_embeddings": 512, "model_type": "bert", "num_attention_heads": 12,
               "num_hidden_layers": 12, "pad_token_id": 0, "type_vocab_size": 2, "vocab_size": 30522}


def write(esc50, bert, clips, bert_bin):
    import soundfile as sf
    os.makedirs(os.path.join(esc50, 'meta'), exist_ok=True)
    os.makedirs(os.path.join(esc50, 'audio'), exist_ok=True)
    rng = np.random.default_rng(0)
    rows = []
    for i in range(clips):
        target = i % 50
        name = '%d-%d-A-%d.wav' % (i % 5 + 1, 100000 + i, target)
        t = np.arange(SR * SECONDS) / SR
        x = 0.3 * np.sin(2 * np.pi * (200 + 40 * target) * t) + 0.05 * rng.standard_normal(t.size)
        sf.write(os.path.join(esc50, 'audio', name), x.astype(np.float32), SR, subtype='PCM_16')
        rows.append([name, i % 5 + 1, target, 'class_%02d' % target, 'False', 100000 + i, 'A'])
    with open(os.path.join(esc50, 'meta', 'esc50.csv'), 'w', newline='') as f:
        w = csv.writer(f)
        w.writerow(['filename', 'fold', 'target', 'category', 'esc10', 'src_file', 'take'])
        w.writerows(rows)
    os.makedirs(bert, exist_ok=True)
    with open(os.path.join(bert, 'config.json'), 'w') as f:
        json.dump(BERT_CONFIG, f, indent=2)
    with open(VOCAB) as src, open(os.path.join(bert, 'vocab.txt'), 'w') as dst:
        dst.write(src.read())
    link = os.path.join(bert, 'pytorch_model.bin')
    if not os.path.exists(link):
        os.symlink(os.path.abspath(bert_bin), link)


def wordpiece(text, vocab):
    ids = [vocab['[CLS]']]
    for word in text.lower().split():
        start = 0
        while start < len(word):
            end = len(word)
            while end > start and (word[start:end] if start == 0 else '##' + word[start:end]) not in vocab:
                end -= 1
            if end == start:
                ids.append(vocab['[UNK]'])
                break
            ids.append(vocab[word[start:end] if start == 0 else '##' + word[start:end]])
            start = end
    return ids + [vocab['[SEP]']]


def run(esc50, cnn14_pth, bert_bin, threads, batch):
    t0 = time.perf_counter()
    import soundfile as sf
    import torch
    import torchaudio
    sys.path.insert(0, HERE)
    import make_model_fixtures as mm
    torch.set_num_threads(threads)

    class Full(mm.Cfg):
        vocab_size, hidden_size, num_hidden_layers, num_attention_heads = 30522, 768, 12, 12
        intermediate_size, max_position_embeddings = 3072, 512

    cnn = mm.Cnn14(64, [64, 128, 256, 512, 1024, 2048], 527)
    state = torch.load(cnn14_pth, map_location='cpu')['model']
    cnn.load_state_dict({k: v for k, v in state.items() if not k.startswith(('spectrogram_', 'logmel_'))})
    cnn.eval()
    bert = mm.Bert(Full())
    bstate = torch.load(bert_bin, map_location='cpu')
    bert.load_state_dict({k[5:].replace('LayerNorm.gamma', 'LayerNorm.weight').replace('LayerNorm.beta', 'LayerNorm.bias'): v
                          for k, v in bstate.items() if k.startswith('bert.')}, strict=False)
    bert.eval()
    with open(os.path.join(esc50, 'meta', 'esc50.csv')) as f:
        rows = list(csv.DictReader(f))
    paths = [os.path.join(esc50, 'audio', r['filename']) for r in rows]
    classes = sorted({(int(r['target']), r['category']) for r in rows})
    load_s = time.perf_counter() - t0

    melw = torchaudio.functional.melscale_fbanks(513, 50.0, 14000.0, 64, SR, norm='slaney', mel_scale='slaney')
    window = torch.hann_window(1024, periodic=True)
    samples = SR * SECONDS

    def load(path):
        x, sr = sf.read(path, dtype='float32', always_2d=True)
        x = x.mean(axis=1)[:samples]
        x = np.pad(x, (0, samples - x.size))
        std = x.std()
        return (x - x.mean()) / std if std > 0 else np.zeros_like(x)

    pool = concurrent.futures.ThreadPoolExecutor(threads)

    def decode(start):
        return list(pool.map(load, paths[start:start + batch]))

    t1 = time.perf_counter()
    out = []
    with torch.no_grad():
        pending = pool.submit(decode, 0)
        for start in range(0, len(paths), batch):
            waves = pending.result()
            if start + batch < len(paths):
                pending = pool.submit(decode, start + batch)
            x = torch.from_numpy(np.stack(waves))
            spec = torch.stft(x, 1024, 320, 1024, window, center=True, pad_mode='reflect', normalized=False,
                              onesided=True, return_complex=True)
            power = spec.real ** 2 + spec.imag ** 2
            mel = 10.0 * torch.log10(torch.clamp(torch.matmul(power.transpose(1, 2), melw), min=1e-10))
            out.append(cnn(mel[:, None])[0])
    audio_s = time.perf_counter() - t1
    t2 = time.perf_counter()
    vocab = {w.rstrip('\n'): i for i, w in enumerate(open(VOCAB))}
    toks = [wordpiece('this is a sound of ' + name.replace('_', ' '), vocab)[:100] for _, name in classes]
    longest = max(len(t) for t in toks)  # padded to the longest prompt (a Hugging Face tokenizer's padding=True)
    ids = torch.zeros(len(classes), longest, dtype=torch.long)
    mask = torch.zeros(len(classes), longest, dtype=torch.long)
    for i, tok in enumerate(toks):
        ids[i, :len(tok)] = torch.tensor(tok)
        mask[i, :len(tok)] = 1
    with torch.no_grad():
        xt = bert(ids, mask)[:, 0]
    text_s = time.perf_counter() - t2
    total = time.perf_counter() - t0
    xa = torch.cat(out)
    assert xa.shape == (len(paths), 2048) and xt.shape == (len(classes), 768)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print('pytorch clips=%d load_s=%.2f audio_s=%.2f text_s=%.2f total_s=%.2f clips_per_s=%.2f peak_rss_mb=%.0f' % (
        len(paths), load_s, audio_s, text_s, total, len(paths) / audio_s, peak), flush=True)


if __name__ == '__main__':
    if sys.argv[1] == 'write':
        write(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5])
    else:
        run(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6]))
