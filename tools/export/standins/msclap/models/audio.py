"""Stand-in for msclap 1.3.3's msclap/models/audio.py: `get_audio_encoder` (lines 7-13) and `ConvBlock`
(lines 16-51) as in the real file; `Cnn14` (lines 110-182) with its forward path and output dict kept
but two narrow conv blocks instead of six (64..2048 wide) and torchlibrosa's extractors replaced by a
plain STFT power spectrogram and a log of band means (torchlibrosa is not installable here).
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


def get_audio_encoder(name: str):
    if name == "Cnn14":
        return Cnn14
    raise Exception('The audio encoder name {} is incorrect or not supported'.format(name))


class ConvBlock(nn.Module):
    def __init__(self, in_channels, out_channels):

        super(ConvBlock, self).__init__()

        self.conv1 = nn.Conv2d(in_channels=in_channels,
                              out_channels=out_channels,
                              kernel_size=(3, 3), stride=(1, 1),
                              padding=(1, 1), bias=False)

        self.conv2 = nn.Conv2d(in_channels=out_channels,
                              out_channels=out_channels,
                              kernel_size=(3, 3), stride=(1, 1),
                              padding=(1, 1), bias=False)

        self.bn1 = nn.BatchNorm2d(out_channels)
        self.bn2 = nn.BatchNorm2d(out_channels)


    def forward(self, input, pool_size=(2, 2), pool_type='avg'):

        x = input
        x = F.relu_(self.bn1(self.conv1(x)))
        x = F.relu_(self.bn2(self.conv2(x)))
        if pool_type == 'max':
            x = F.max_pool2d(x, kernel_size=pool_size)
        elif pool_type == 'avg':
            x = F.avg_pool2d(x, kernel_size=pool_size)
        elif pool_type == 'avg+max':
            x1 = F.avg_pool2d(x, kernel_size=pool_size)
            x2 = F.max_pool2d(x, kernel_size=pool_size)
            x = x1 + x2
        else:
            raise Exception('Incorrect argument!')

        return x


class _Spectrogram(nn.Module):
    """(batch, samples) -> (batch, 1, frames, bins) STFT power, as torchlibrosa's Spectrogram shapes it."""

    def __init__(self, n_fft, hop_length):
        super().__init__()
        self.n_fft, self.hop_length = n_fft, hop_length
        self.register_buffer("window", torch.hann_window(n_fft), persistent=False)

    def forward(self, x):
        spec = torch.stft(x, self.n_fft, self.hop_length, window=self.window, center=True,
                          pad_mode="reflect", return_complex=True)
        return spec.abs().pow(2).transpose(1, 2).unsqueeze(1)


class _LogBands(nn.Module):
    """(batch, 1, frames, bins) -> (batch, 1, frames, n_mels): log of equal-width band means."""

    def __init__(self, n_mels):
        super().__init__()
        self.n_mels = n_mels

    def forward(self, x):
        b, _, t, f = x.shape
        bands = F.adaptive_avg_pool1d(x.reshape(b * t, 1, f), self.n_mels).reshape(b, 1, t, self.n_mels)
        return torch.log10(bands.clamp(min=1e-10))


class Cnn14(nn.Module):
    WIDTHS = (4, 8)  # the real 64, 128, 256, 512, 1024, 2048

    def __init__(self, sample_rate, window_size, hop_size, mel_bins, fmin, fmax, classes_num, out_emb):
        super(Cnn14, self).__init__()
        self.spectrogram_extractor = _Spectrogram(window_size, hop_size)
        self.logmel_extractor = _LogBands(mel_bins)
        self.bn0 = nn.BatchNorm2d(mel_bins)
        self.conv_block1 = ConvBlock(in_channels=1, out_channels=self.WIDTHS[0])
        self.conv_block2 = ConvBlock(in_channels=self.WIDTHS[0], out_channels=self.WIDTHS[1])
        self.fc1 = nn.Linear(self.WIDTHS[1], out_emb, bias=True)  # audio.py:143, 2048 -> out_emb
        self.fc_audioset = nn.Linear(out_emb, classes_num, bias=True)

    def forward(self, input, mixup_lambda=None):
        """Input: (batch_size, data_length); the steps of audio.py:151-182."""
        x = self.spectrogram_extractor(input)
        x = self.logmel_extractor(x)
        x = x.transpose(1, 3)
        x = self.bn0(x)
        x = x.transpose(1, 3)
        x = self.conv_block1(x, pool_size=(2, 2), pool_type='avg')
        x = F.dropout(x, p=0.2, training=self.training)
        x = self.conv_block2(x, pool_size=(1, 1), pool_type='avg')
        x = F.dropout(x, p=0.2, training=self.training)
        x = torch.mean(x, dim=3)
        (x1, _) = torch.max(x, dim=2)
        x2 = torch.mean(x, dim=2)
        x = x1 + x2
        x = F.dropout(x, p=0.5, training=self.training)
        x = F.relu_(self.fc1(x))
        embedding = F.dropout(x, p=0.5, training=self.training)
        clipwise_output = torch.sigmoid(self.fc_audioset(x))
        output_dict = {'clipwise_output': clipwise_output, 'embedding': embedding}
        return output_dict
