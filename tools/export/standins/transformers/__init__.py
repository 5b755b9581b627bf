"""Stand-in for the parts of Hugging Face `transformers` that msclap 1.3.3 and laion_clap 1.1.6 call:
`AutoModel`, `AutoTokenizer`, `BertModel`, `RobertaModel`, `RobertaTokenizer` (`from_pretrained`) and
`logging.set_verbosity_error`. The models keep the interface the two libraries rely on (keyword inputs
`input_ids`, `attention_mask`, `token_type_ids`; an output indexable as `[0]` = last_hidden_state and
as `["pooler_output"]`, like `BaseModelOutputWithPoolingAndCrossAttentions`) but are one tiny layer
wide (HIDDEN); the tokenisers map words to ids by a checksum (no vocabulary file).
"""
import zlib
from collections import OrderedDict

import torch
import torch.nn as nn

__version__ = "4.30.0"  # below 4.31: laion_clap keeps text_branch.embeddings.position_ids (factory.py:65)
HIDDEN = 8
VOCAB = 64
MAX_POSITIONS = 80
PAD, CLS, SEP = 0, 1, 2


class logging:  # noqa: N801 - transformers.logging is a module; a namespace is enough here
    @staticmethod
    def set_verbosity_error():
        pass


class ModelOutput(OrderedDict):
    """Indexable by position (`out[0]`) and by name (`out["pooler_output"]`), as HF's outputs are."""

    def __getitem__(self, key):
        return list(self.values())[key] if isinstance(key, int) else super().__getitem__(key)


class _Embeddings(nn.Module):
    def __init__(self):
        super().__init__()
        self.word_embeddings = nn.Embedding(VOCAB, HIDDEN, padding_idx=PAD)
        self.position_embeddings = nn.Embedding(MAX_POSITIONS, HIDDEN)
        self.LayerNorm = nn.LayerNorm(HIDDEN)

    def forward(self, input_ids):
        positions = torch.arange(input_ids.shape[1], device=input_ids.device)
        return self.LayerNorm(self.word_embeddings(input_ids) + self.position_embeddings(positions))


class _Layer(nn.Module):
    """Each token mixed with the masked mean of all tokens: [CLS] depends on the whole text."""

    def __init__(self):
        super().__init__()
        self.dense = nn.Linear(HIDDEN, HIDDEN)

    def forward(self, h, mask):
        context = (h * mask[..., None]).sum(1) / mask.sum(1, keepdim=True).clamp(min=1)
        return torch.tanh(self.dense(h + context[:, None, :]))


class _Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer = nn.ModuleList([_Layer()])

    def forward(self, h, mask):
        for layer in self.layer:
            h = layer(h, mask)
        return h


class _Pooler(nn.Module):
    def __init__(self):
        super().__init__()
        self.dense = nn.Linear(HIDDEN, HIDDEN)

    def forward(self, h):
        return torch.tanh(self.dense(h[:, 0]))


class BertModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.embeddings = _Embeddings()
        self.encoder = _Encoder()
        self.pooler = _Pooler()

    @classmethod
    def from_pretrained(cls, _name):
        return cls()

    def forward(self, input_ids, attention_mask=None, token_type_ids=None):
        mask = torch.ones_like(input_ids) if attention_mask is None else attention_mask
        h = self.encoder(self.embeddings(input_ids), mask.float())
        return ModelOutput(last_hidden_state=h, pooler_output=self.pooler(h))


class RobertaModel(BertModel):
    pass


class AutoModel:
    @staticmethod
    def from_pretrained(name):
        return RobertaModel() if "roberta" in name else BertModel()


def _ids(text, max_length):
    words = [3 + zlib.crc32(w.encode("utf-8")) % (VOCAB - 3) for w in text.lower().split()]
    ids = ([CLS] + words)[:max_length - 1] + [SEP]
    return ids + [PAD] * (max_length - len(ids)), [1] * len(ids) + [0] * (max_length - len(ids))


class _Tokenizer:
    def __init__(self, with_token_types):
        self.with_token_types = with_token_types

    @classmethod
    def from_pretrained(cls, name):
        return cls(with_token_types="roberta" not in name)

    def add_special_tokens(self, _tokens):
        pass

    def encode_plus(self, text, add_special_tokens=True, max_length=None, padding=None, return_tensors=None):
        return self([text], max_length=max_length)

    def __call__(self, texts, padding="max_length", truncation=True, max_length=None, return_tensors="pt"):
        rows = [_ids(t, max_length) for t in texts]
        out = {"input_ids": torch.tensor([r[0] for r in rows]), "attention_mask": torch.tensor([r[1] for r in rows])}
        if self.with_token_types:
            out["token_type_ids"] = torch.zeros_like(out["input_ids"])
        return out


class AutoTokenizer(_Tokenizer):
    pass


class RobertaTokenizer(_Tokenizer):
    pass
