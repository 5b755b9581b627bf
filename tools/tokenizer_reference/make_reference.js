// Reference token ids from Hugging Face `tokenizers` (npm) for ClapAudit's WordPiece tests.
// Builds the bert-base-uncased tokenizer.json pipeline (BertNormalizer lowercase + strip accents,
// BertPreTokenizer, WordPiece "##" max 100 chars, [CLS]/[SEP] post-processing, the 5 special
// tokens as added tokens) over the committed vocab, and writes one JSON line per sentence.
// Run: cd tools/tokenizer_reference && npm ci && node make_reference.js
// Output: tests/fixtures/text/wordpiece-reference.jsonl (made by this script; do not edit).
const fs = require('fs');
const path = require('path');
const { Tokenizer } = require('tokenizers');

const root = path.resolve(__dirname, '..', '..');
const vocabPath = path.join(root, 'tests', 'fixtures', 'text', 'bert-base-uncased-vocab.txt');
const lines = fs.readFileSync(vocabPath, 'utf8').split('\n');
if (lines[lines.length - 1] === '') lines.pop();
const vocab = {};
lines.forEach((tok, i) => { vocab[tok] = i; });
const special = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'].map(t => ({
  id: vocab[t], content: t, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true,
}));
const spec = {
  version: '1.0', truncation: null, padding: null, added_tokens: special,
  normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
  pre_tokenizer: { type: 'BertPreTokenizer' },
  post_processor: { type: 'BertProcessing', sep: ['[SEP]', vocab['[SEP]']], cls: ['[CLS]', vocab['[CLS]']] },
  decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
  model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab },
};

const sentences = JSON.parse(fs.readFileSync(path.join(__dirname, 'sentences.json'), 'utf8'));
const out = [];
async function run() {
  for (const maxLength of [0, 16]) {
    const tok = Tokenizer.fromString(JSON.stringify(spec));
    if (maxLength > 0) tok.setTruncation(maxLength);
    const list = maxLength > 0 ? sentences.filter((_, i) => i % 4 === 0) : sentences;
    for (const text of list) {
      const enc = await tok.encode(text);
      out.push(JSON.stringify({ max_length: maxLength, text, ids: enc.getIds(), tokens: enc.getTokens() }));
    }
  }
  fs.writeFileSync(path.join(root, 'tests', 'fixtures', 'text', 'wordpiece-reference.jsonl'), out.join('\n') + '\n');
  console.log(`wrote ${out.length} reference encodings`);
}
run();
