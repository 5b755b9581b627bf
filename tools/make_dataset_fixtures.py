#!/usr/bin/python3
"""Writes tiny dataset folders in each published layout into tests/fixtures/datasets/.

Run from the repository root with the system Python (numpy + soundfile):
    /usr/bin/python3 tools/make_dataset_fixtures.py

Layouts follow the published archives (Clotho v2.1, AudioCaps, FSD50K, MACS, ESC-50, AudioSet
segment lists) with awkward cases on purpose: captions with quoted commas and UTF-8 accents, a file
name with a space, missing audio files, an empty caption, a duplicate id, AudioSet's three '#'
header lines and ", " separators, an unknown AudioSet label. Audio is a few milliseconds of real
WAV (PCM 16) or FLAC written with soundfile; the readers only check that the files exist.
The expected reader and filter results are hand-computed in tests/ClapAudit.Tests/Data/.
"""
import csv
import io
import os
import shutil

import numpy as np
import soundfile as sf

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "datasets")


def audio(path, sr=44100, channels=1, fmt=None, seconds=0.02, seed=0):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    rng = np.random.default_rng(seed)
    n = int(sr * seconds)
    data = (0.1 * rng.standard_normal((n, channels))).astype(np.float32)
    sf.write(path, data if channels > 1 else data[:, 0], sr, subtype="PCM_16", format=fmt)


def write_csv(path, header, rows, quoting=csv.QUOTE_MINIMAL):
    """CSV as pandas/csv write it: quotes only where needed, '\n' line ends, UTF-8 without BOM."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, quoting=quoting, lineterminator="\n")
        if header:
            w.writerow(header)
        w.writerows(rows)


def clotho(base):
    cols = ["file_name"] + [f"caption_{k}" for k in range(1, 6)]
    dev = [
        ["forest.wav", "Leaves rustle softly in the breeze", "Someone walks slowly on gravel",
         "Quiet nature ambience, with distant voices", "A calm forest with rustling leaves", "Gentle breeze moves the leaves"],
        ["cafe scene.wav", "People talk in a café, glasses clink", "A busy café with chatter",
         "Cups and plates clatter, people chat", "Conversation in a crowded restaurant", "Background chatter in a coffee shop"],
        ["dogs.wav", "A dog barks repeatedly", "Dogs barking in a yard", "An animal barks loudly",
         "Barking and growling nearby", "A pet makes noise outside"],
        ["missing.wav", "Rain falls on a roof", "Steady rainfall", "Drops hit a surface", "Wet weather outside", "Rain on a window"],
        ["forest.wav", "duplicate row", "b", "c", "d", "e"],
        ["empty caption.wav", "Water runs in a stream", "A stream flows over rocks", "", "Running water, gurgling", "Flowing creek"],
    ]
    write_csv(os.path.join(base, "clotho_captions_development.csv"), cols, dev)
    write_csv(os.path.join(base, "clotho_captions_validation.csv"), cols, [
        ["night.wav", "Insects buzz at night", "Crickets chirp in the dark", "Night time ambience", "A quiet night outdoors", "Buzzing at night"]])
    write_csv(os.path.join(base, "clotho_captions_evaluation.csv"), cols, [
        ["street.wav", "Traffic passes on a wet street", "Vehicles drive by", "A busy road with traffic", "Tires hiss on the road", "Traffic noise in the city"]])
    for i, f in enumerate(["forest.wav", "cafe scene.wav", "dogs.wav", "empty caption.wav"]):
        audio(os.path.join(base, "development", f), seed=i)
    audio(os.path.join(base, "validation", "night.wav"), seed=10)
    audio(os.path.join(base, "evaluation", "street.wav"), seed=11)


def audiocaps(base):
    cols = ["audiocap_id", "youtube_id", "start_time", "caption"]
    write_csv(os.path.join(base, "train.csv"), cols, [
        [91139, "r1nicOVtvkQ", 130, "A woman talks nearby as water pours"],
        [58146, "UDGBjjwyaqE", 20, "Multiple clanging and clanking sounds, then a man speaks"],
        [11542, "gone123abcd", 0, "A motorboat is moving"],
        [107295, "bAbAbAbAbAb", 30, "An engine revving"],
        [58147, "dupdupdup01", 10, ""],
        [58146, "xyzxyzxyz01", 0, "A duplicate audiocap_id"],
    ])
    write_csv(os.path.join(base, "val.csv"), cols, [
        [97151, "vAlvAlvAl01", 50, "A man speaks then a door closes"],
        [97152, "vAlvAlvAl01", 50, "A man talking and a door shutting"],
        [97153, "vAlvAlvAl01", 50, "Speech followed by a bang"],
        [97154, "vAlvAlvAl01", 50, "Someone talks, then a thud"],
        [97155, "vAlvAlvAl01", 50, "A person speaks before a slam"],
    ])
    write_csv(os.path.join(base, "test.csv"), cols, [
        [103541, "tEsTtEsT001", 0, "A crowd cheers loudly"],
        [103542, "tEsTtEsT001", 0, "People cheer and whistle"],
        [103543, "tEsTtEsT001", 0, "Cheering from a crowd"],
        [103544, "tEsTtEsT001", 0, "A large audience applauds"],
        [103545, "tEsTtEsT001", 0, "Crowd noise with cheering"],
    ])
    for i, yt in enumerate(["r1nicOVtvkQ", "UDGBjjwyaqE", "bAbAbAbAbAb", "vAlvAlvAl01", "tEsTtEsT001"]):
        audio(os.path.join(base, "audio", f"{yt}.wav"), seed=20 + i)
    # A second downloader's naming, for the file-pattern setting: flac/Y{youtube_id}.flac.
    for i, yt in enumerate(["r1nicOVtvkQ", "UDGBjjwyaqE"]):
        audio(os.path.join(base, "flac", f"Y{yt}.flac"), fmt="FLAC", seed=30 + i)


def fsd50k(base):
    gt = os.path.join(base, "FSD50K.ground_truth")
    write_csv(os.path.join(gt, "dev.csv"), ["fname", "labels", "mids", "split"], [
        [64760, "Electric_guitar,Guitar,Plucked_string_instrument,Musical_instrument,Music", "/m/02sgy,/m/0342h,/m/0fx80y,/m/04szw,/m/04rlf", "train"],
        [16399, "Bark,Dog,Domestic_animals_and_pets,Animal", "/m/05tny_,/m/0bt9lr,/m/068hy,/m/0jbk", "train"],
        [21201, "Rain,Water,Natural_sounds", "/m/06mb1,/m/0838f,/m/059j3w", "val"],
        [99999, "Speech,Human_voice", "/m/09x0r,/m/09l8g", "train"],
    ])
    write_csv(os.path.join(gt, "eval.csv"), ["fname", "labels", "mids"], [
        [37199, "Typing,Computer_keyboard", "/m/0lyf6,/m/01m2v"],
        [21001, "Speech,Human_voice", "/m/09x0r,/m/09l8g"],
    ])
    write_csv(os.path.join(gt, "vocabulary.csv"), None, [
        [0, "Electric_guitar", "/m/02sgy"], [1, "Guitar", "/m/0342h"], [2, "Bark", "/m/05tny_"], [3, "Dog", "/m/0bt9lr"]])
    for i, f in enumerate(["64760", "16399", "21201"]):
        audio(os.path.join(base, "FSD50K.dev_audio", f + ".wav"), seed=40 + i)
    for i, f in enumerate(["37199", "21001"]):
        audio(os.path.join(base, "FSD50K.eval_audio", f + ".wav"), seed=50 + i)


MACS_YAML = """files:
- filename: airport-lisbon-1000-40000-a.wav
  annotations:
  - annotator_id: 133
    sentence: adults talking and children playing, with a loud announcement
    tags:
    - adults
    - children
    - announcement
  - annotator_id: 52
    sentence: people talking at an airport
    tags:
    - people
  - annotator_id: 11
    sentence: 'Voices echo in a large hall: café, shops'
    tags:
    - voices
- filename: street_traffic-lyon-1161-44120-a.wav
  annotations:
  - annotator_id: 7
    sentence: a car horn honks in traffic
    tags:
    - car
  - annotator_id: 8
    sentence: traffic passing by
    tags:
    - traffic
- filename: park-helsinki-241-7192-a.wav
  annotations:
  - annotator_id: 7
    sentence: birds and children in a park
    tags: []
  - annotator_id: 9
    sentence: a quiet park
    tags: []
- filename: metro_station-paris-6-299-a.wav
  annotations:
  - annotator_id: 3
    sentence: ''
    tags: []
  - annotator_id: 4
    sentence: a train arrives at the station
    tags:
    - train
- filename: airport-lisbon-1000-40000-a.wav
  annotations:
  - annotator_id: 1
    sentence: a duplicate entry
    tags: []
"""


def macs(base):
    os.makedirs(base, exist_ok=True)
    with open(os.path.join(base, "MACS.yaml"), "w", encoding="utf-8", newline="\n") as f:
        f.write(MACS_YAML)
    with open(os.path.join(base, "MACS_competence.csv"), "w", encoding="utf-8", newline="\n") as f:
        f.write("annotator_id\tcompetence\n133\t0.9\n52\t0.8\n")
    for i, f in enumerate(["airport-lisbon-1000-40000-a.wav", "street_traffic-lyon-1161-44120-a.wav", "metro_station-paris-6-299-a.wav"]):
        audio(os.path.join(base, "audio", f), sr=48000, channels=2, seed=60 + i)


ESC50_CLASSES = [
    "dog", "rooster", "pig", "cow", "frog", "cat", "hen", "insects", "sheep", "crow",
    "rain", "sea_waves", "crackling_fire", "crickets", "chirping_birds", "water_drops", "wind", "pouring_water", "toilet_flush", "thunderstorm",
    "crying_baby", "sneezing", "clapping", "breathing", "coughing", "footsteps", "laughing", "brushing_teeth", "snoring", "drinking_sipping",
    "door_wood_knock", "mouse_click", "keyboard_typing", "door_wood_creaks", "can_opening", "washing_machine", "vacuum_cleaner", "clock_alarm", "clock_tick", "glass_breaking",
    "helicopter", "chainsaw", "siren", "car_horn", "engine", "train", "church_bells", "airplane", "fireworks", "hand_saw",
]
ESC10 = {"dog", "rooster", "rain", "sea_waves", "crackling_fire", "crying_baby", "sneezing", "clock_tick", "helicopter", "chainsaw"}


def esc50(base):
    rows = []
    for t, c in enumerate(ESC50_CLASSES):
        fold = t % 5 + 1
        src = 100000 + 37 * t
        rows.append([f"{fold}-{src}-A-{t}.wav", fold, t, c, str(c in ESC10), src, "A"])
    # One more clip of class 0 in fold 2, and a duplicate row.
    rows.append(["2-118072-A-0.wav", 2, 0, "dog", "True", 118072, "A"])
    rows.append(["2-118072-A-0.wav", 2, 0, "dog", "True", 118072, "A"])
    write_csv(os.path.join(base, "meta", "esc50.csv"), ["filename", "fold", "target", "category", "esc10", "src_file", "take"], rows)
    for i, f in enumerate(["1-100000-A-0.wav", "2-100037-A-1.wav", "1-100370-A-10.wav", "2-118072-A-0.wav"]):
        audio(os.path.join(base, "audio", f), seed=70 + i)


def audioset(base):
    classes = [
        (0, "/m/09x0r", "Speech"), (1, "/m/05zppz", "Male speech, man speaking"), (72, "/m/0jbk", "Animal"),
        (74, "/m/0bt9lr", "Dog"), (75, "/m/05tny_", "Bark"), (81, "/m/01yrx", "Cat"), (94, "/m/068zj", "Pig"),
        (95, "/m/07q0h5t", "Oink"), (91, "/m/07rpkh9", "Moo"), (137, "/m/04rlf", "Music"), (300, "/m/07yv9", "Vehicle"),
        (303, "/m/0912c9", "Vehicle horn, car horn, honking"), (195, "/m/03w41f", "Church bell"), (194, "/m/0395lw", "Bell"),
        (408, "/m/07qjznl", "Tick-tock"), (343, "/m/02mk9", "Engine"), (289, "/m/0ngt1", "Thunder"),
    ]
    os.makedirs(base, exist_ok=True)
    with open(os.path.join(base, "class_labels_indices.csv"), "w", encoding="utf-8", newline="\n") as f:
        f.write("index,mid,display_name\n")
        for i, m, n in classes:
            f.write(f'{i},{m},"{n}"\n')  # display_name always quoted, as published

    def segments(name, header, rows):
        with open(os.path.join(base, name), "w", encoding="utf-8", newline="\n") as f:
            f.write(header)
            f.write("# YTID, start_seconds, end_seconds, positive_labels\n")
            for yt, s, e, labels in rows:
                f.write(f'{yt}, {s:.3f}, {e:.3f}, "{labels}"\n')

    segments("balanced_train_segments.csv",
             "# Segments csv created Sun Mar  5 10:54:31 2017\n# num_ytids=5, num_segs=5, num_unique_labels=6, num_positive_labels=9\n", [
                 ("--PJHxphWEs", 30, 40, "/m/09x0r,/t/dd00088"),
                 ("--ZhevVpy1s", 50, 60, "/m/04rlf"),
                 ("--aE2O5G5WE", 0, 10, "/m/0bt9lr,/m/05tny_,/m/0jbk"),
                 ("--aO5cdqSAg", 30, 40, "/m/07rpkh9,/m/0jbk"),
                 ("--missing01", 0, 10, "/m/09x0r"),
             ])
    segments("eval_segments.csv",
             "# Segments csv created Sun Mar  5 10:54:25 2017\n# num_ytids=2, num_segs=3, num_unique_labels=4, num_positive_labels=5\n", [
                 ("-0DdlOuIFUI", 50, 60, "/m/0912c9,/m/07yv9"),
                 ("-0O3e95y4gE", 0, 10, "/m/05zppz,/m/09x0r"),
                 ("-0DdlOuIFUI", 50, 60, "/m/0912c9,/m/07yv9"),
             ])
    for i, yt in enumerate(["--PJHxphWEs", "--ZhevVpy1s", "--aE2O5G5WE", "--aO5cdqSAg", "-0DdlOuIFUI", "-0O3e95y4gE"]):
        audio(os.path.join(base, "audio", f"Y{yt}.wav"), sr=32000, seed=80 + i)


def main():
    if os.path.isdir(ROOT):
        shutil.rmtree(ROOT)
    clotho(os.path.join(ROOT, "clotho"))
    audiocaps(os.path.join(ROOT, "audiocaps"))
    fsd50k(os.path.join(ROOT, "fsd50k"))
    macs(os.path.join(ROOT, "macs"))
    esc50(os.path.join(ROOT, "esc50"))
    audioset(os.path.join(ROOT, "audioset"))
    with open(os.path.join(ROOT, "README.md"), "w", encoding="utf-8") as f:
        f.write("Written by tools/make_dataset_fixtures.py (see its docstring). Do not edit by hand.\n")


if __name__ == "__main__":
    main()
