"""Stand-in for laion_clap 1.1.6's src/laion_clap/clap_module/htsat.py: `HTSAT_Swin_Transformer` with the
non-fusion path of `forward` (lines 866-895) and the output dict of `forward_features` (lines 795-819):
'embedding' is the pooled latent output `avgpool(flatten(x, 2))` (lines 799-800) of the last stage,
taken before any projection. The Swin stages are one linear token mixer here; torchlibrosa's
extractors a plain STFT power spectrogram and a log of band means (torchlibrosa is not installable here).
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


class _Spectrogram(nn.Module):
    def __init__(self, n_fft, hop_length):
        super().__init__()
        self.n_fft, self.hop_length = n_fft, hop_length
        self.register_buffer("window", torch.hann_window(n_fft), persistent=False)

    def forward(self, x):
        spec = torch.stft(x, self.n_fft, self.hop_length, window=self.window, center=True,
                          pad_mode="reflect", return_complex=True)
        return spec.abs().pow(2).transpose(1, 2).unsqueeze(1)  # (batch, 1, time_steps, freq_bins)


class _LogBands(nn.Module):
    def __init__(self, n_mels):
        super().__init__()
        self.n_mels = n_mels

    def forward(self, x):
        b, _, t, f = x.shape
        bands = F.adaptive_avg_pool1d(x.reshape(b * t, 1, f), self.n_mels).reshape(b, 1, t, self.n_mels)
        return torch.log10(bands.clamp(min=1e-10))  # (batch, 1, time_steps, mel_bins)


class HTSAT_Swin_Transformer(nn.Module):
    def __init__(self, num_classes, embed_dim, config, enable_fusion=False, fusion_type='None'):
        super().__init__()
        if enable_fusion:
            raise NotImplementedError("stand-in: fusion is not reproduced")
        self.config = config
        self.enable_fusion = enable_fusion
        self.num_features = embed_dim
        self.spectrogram_extractor = _Spectrogram(config.window_size, config.hop_size)
        self.logmel_extractor = _LogBands(config.mel_bins)
        self.bn0 = nn.BatchNorm2d(config.mel_bins)
        self.patch_embed = nn.Linear(config.mel_bins, embed_dim)
        self.norm = nn.LayerNorm(embed_dim)
        self.avgpool = nn.AdaptiveAvgPool1d(1)
        self.tscam_conv = nn.Conv1d(embed_dim, num_classes, kernel_size=1)

    def forward_features(self, x, longer_idx=None):
        x = self.norm(torch.relu(self.patch_embed(x[:, 0])))  # (B, T, C)
        x = x.transpose(1, 2)  # (B, C, T), the last stage's tokens
        fine_grained_latent_output = x.transpose(1, 2)
        latent_output = self.avgpool(torch.flatten(x, 2))
        latent_output = torch.flatten(latent_output, 1)
        x = self.tscam_conv(x)
        x = torch.flatten(x, 2)  # B, C, T
        fpx = torch.sigmoid(x).permute(0, 2, 1).contiguous()
        x = self.avgpool(x)
        x = torch.flatten(x, 1)
        output_dict = {
            'framewise_output': fpx,  # already sigmoided
            'clipwise_output': torch.sigmoid(x),
            'fine_grained_embedding': fine_grained_latent_output,
            'embedding': latent_output
        }
        return output_dict

    def forward(self, x, mixup_lambda=None, infer_mode=False, device=None):
        x = x["waveform"].to(device=device, non_blocking=True)
        x = self.spectrogram_extractor(x)   # (batch_size, 1, time_steps, freq_bins)
        x = self.logmel_extractor(x)    # (batch_size, 1, time_steps, mel_bins)
        x = x.transpose(1, 3)
        x = self.bn0(x)
        x = x.transpose(1, 3)
        return self.forward_features(x)


def create_htsat_model(audio_cfg, enable_fusion=False, fusion_type='None'):
    # htsat.py:981-998; HTSAT-tiny's embed_dim 96 over 4 stages gives 768 features, here embed_dim is 12
    assert audio_cfg.model_name in ["tiny", "base", "large"], "model name for HTS-AT is wrong!"
    return HTSAT_Swin_Transformer(num_classes=audio_cfg.class_num, embed_dim=12, config=audio_cfg,
                                  enable_fusion=enable_fusion, fusion_type=fusion_type)
