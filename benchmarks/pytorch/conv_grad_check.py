"""The check of docs/troubleshooting.md ("Wrong convolution gradients on some AVX-512 CPUs") in PyTorch, for a
side-by-side with another libtorch: the largest error of float32 convolution input gradients (conv2d 3x3 and conv1d
width 7, 8 channels) against float64, with oneDNN (mkldnn) on and off.

    python3 benchmarks/pytorch/conv_grad_check.py
"""
import torch


def error(shape, weight_shape, conv, padding):
    torch.manual_seed(1)
    x = torch.randn(shape, requires_grad=True)
    w = torch.randn(weight_shape)
    conv(x, w, padding=padding).sum().backward()
    x64 = x.detach().double().requires_grad_()
    conv(x64, w.double(), padding=padding).sum().backward()
    return ((x.grad.double() - x64.grad).abs().max() / max(1.0, x64.grad.abs().max().item())).item()


print(f"torch {torch.__version__}, oneDNN (mkldnn) available: {torch.backends.mkldnn.is_available()}")
for enabled in (True, False):
    torch.backends.mkldnn.enabled = enabled
    worst = max(error((4, 8, 8, 8), (8, 8, 3, 3), torch.nn.functional.conv2d, 1),
                error((4, 8, 16), (8, 8, 7), torch.nn.functional.conv1d, 3))
    print(f"mkldnn {'on ' if enabled else 'off'}: largest input-gradient error {worst:.3g} of the largest float64 gradient")
