<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name></name>
    <message>
        <location filename="../convviz/qt/export_dialog.py" line="+64"/>
        <location line="+77"/>
        <location line="+48"/>
        <source>Export animation</source>
        <translation>导出动画</translation>
    </message>
    <message>
        <location line="-115"/>
        <source>%1 (frames %2–%3)</source>
        <translation>%1（第 %2–%3 帧）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>the whole trace (frames 1–%1)</source>
        <translation>整个过程（第 1–%1 帧）</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>a line with the parameters under the picture</source>
        <translation>在画面下方加一行参数说明</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>File…</source>
        <translation>文件…</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>PNG folder…</source>
        <translation>PNG 文件夹…</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Frames of</source>
        <translation>导出范围</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>From frame</source>
        <translation>起始帧</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>to</source>
        <translation>到</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Frames per second</source>
        <translation>每秒帧数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Size (pixels)</source>
        <translation>尺寸（像素）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Caption</source>
        <translation>说明文字</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Save as</source>
        <translation>保存为</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>GIF animation (*.gif);;MP4 video (*.mp4)</source>
        <translation>GIF 动画 (*.gif);;MP4 视频 (*.mp4)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Folder for the PNGs</source>
        <translation>存放 PNG 的文件夹</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>choose where to save it</source>
        <translation>请选择保存位置</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>the first frame comes after the last</source>
        <translation>起始帧在结束帧之后</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>%1; %2 frames, %3 s</source>
        <translation>%1；共 %2 帧，%3 秒</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Rendering the frames…</source>
        <translation>正在渲染各帧…</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Cancelled: nothing was written.</source>
        <translation>已取消：没有写入任何文件。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Exported %1 (%2 frames, %3 KB)</source>
        <translation>已导出 %1（%2 帧，%3 KB）</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Nothing to export yet: the parameters cannot run</source>
        <translation>还没有可导出的内容：当前参数无法运行</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>Export picture</source>
        <translation>导出图片</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>PNG image (*.png)</source>
        <translation>PNG 图片 (*.png)</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Saved %1</source>
        <translation>已保存 %1</translation>
    </message>
    <message>
        <location filename="../convviz/qt/i18n.py" line="+35"/>
        <source>pad</source>
        <translation>填充</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>dilate the kernel</source>
        <translation>膨胀卷积核</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>forward: slide</source>
        <translation>前向：滑动窗口</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>backward: scatter ∂L/∂y into ∂L/∂x</source>
        <translation>反向：把 ∂L/∂y 散布到 ∂L/∂x</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>backward: ∂L/∂w</source>
        <translation>反向：∂L/∂w</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>backward: ∂L/∂b</source>
        <translation>反向：∂L/∂b</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>backward: fold the padding back</source>
        <translation>反向：把填充部分折回</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the whole zero border</source>
        <translation>整圈零填充</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>one padded row</source>
        <translation>一行填充</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>one kernel tap</source>
        <translation>卷积核的一个元素</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>one multiply-add</source>
        <translation>一次乘加</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>one output element</source>
        <translation>一个输出元素</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>one filter</source>
        <translation>一个滤波器</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the crop</source>
        <translation>裁剪</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>one padded row, then the crop</source>
        <translation>一行填充，然后裁剪</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>GIF: one palette, loops, for slides and web pages</source>
        <translation>GIF：单一调色板，循环播放，适合幻灯片和网页</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>MP4: H.264, plays in browsers and presentation software</source>
        <translation>MP4：H.264 编码，可在浏览器和演示软件中播放</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>numbered PNGs in this folder (frame_0001.png, ...)</source>
        <translation>在此文件夹中按编号保存 PNG（frame_0001.png, ...）</translation>
    </message>
    <message>
        <location line="+125"/>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Follow the system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>The new language takes effect when convviz starts next time.</source>
        <translation>新的语言将在下次启动 convviz 时生效。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <location filename="../convviz/qt/main_window.py" line="+55"/>
        <source>checking against PyTorch…</source>
        <translation>正在与 PyTorch 核对…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>unchecked: %1</source>
        <translation>未核对：%1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>equals torch.nn.functional.conv2d and autograd for these arrays</source>
        <translation>这些数组的结果与 torch.nn.functional.conv2d 及 autograd 一致</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>largest difference</source>
        <translation>最大差值</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>differs from PyTorch</source>
        <translation>与 PyTorch 不一致</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>convviz — convolution made visible</source>
        <translation>convviz — 让卷积看得见</translation>
    </message>
    <message>
        <location filename="../convviz/scene/conv_scene.py" line="+120"/>
        <source>input x̃ padded %1 (C×H×W), %2 padding shaded</source>
        <translation>填充后的输入 x̃ %1 (C×H×W)，阴影为 %2 填充</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>input x %1 (C×H×W)</source>
        <translation>输入 x %1 (C×H×W)</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>kernel w %1 (F×C/G×KH×KW)</source>
        <translation>卷积核 w %1 (F×C/G×KH×KW)</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>dilated %1</source>
        <translation>膨胀后 %1</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>output y %1 (F×OH×OW)</source>
        <translation>输出 y %1 (F×OH×OW)</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>∂L/∂w %1</source>
        <translation>∂L/∂w %1</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>∂L/∂y given %1</source>
        <translation>给定的 ∂L/∂y %1</translation>
    </message>
    <message>
        <location line="+70"/>
        <source>∂L/∂x̃ padded %1</source>
        <translation>填充后的 ∂L/∂x̃ %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>∂L/∂x cropped %1</source>
        <translation>裁剪后的 ∂L/∂x %1</translation>
    </message>
    <message>
        <location line="+112"/>
        <source>not current: the controls show a change that cannot run or is still being built</source>
        <translation>不是最新：控件中的修改无法运行或仍在计算中</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>frame</source>
        <translation>帧</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>one frame =</source>
        <translation>一帧 =</translation>
    </message>
    <message>
        <location line="+65"/>
        <source>padding cell x̃[%1, %2, %3] = %4 (%5 padding)</source>
        <translation>填充格 x̃[%1, %2, %3] = %4（%5 填充）</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>: a copy of input pixel x[%1, %2, %3]</source>
        <translation>：复制自输入像素 x[%1, %2, %3]</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>x[%1, %2, %3] = %4 feeds %5 output values</source>
        <translation>x[%1, %2, %3] = %4，参与计算 %5 个输出值</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>; its gradient is the sum of %1 terms ∂L/∂y × w = %2</source>
        <translation>；它的梯度是 %1 项 ∂L/∂y × w 之和 = %2</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>not computed yet</source>
        <translation>尚未计算</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>y[%1, %2, %3] = %4: its receptive field is %5 taps</source>
        <translation>y[%1, %2, %3] = %4：感受野包含 %5 个元素</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>; ∂L/∂y = %1</source>
        <translation>；∂L/∂y = %1</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>w[%1, %2, %3, %4] = %5 multiplies %6 input cells of channel %7</source>
        <translation>w[%1, %2, %3, %4] = %5，与通道 %7 的 %6 个输入格相乘</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>; its gradient is the sum of %1 terms ∂L/∂y × x = %2</source>
        <translation>；它的梯度是 %1 项 ∂L/∂y × x 之和 = %2</translation>
    </message>
    <message>
        <location filename="../convviz/scene/math_text.py" line="+42"/>
        <source>(%1 more)</source>
        <translation>（还有 %1 项）</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>the floor drops the last %1 padded rows: no window reaches them</source>
        <translation>向下取整舍去了最后 %1 行填充：没有窗口能到达它们</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the floor drops the last padded row: no window reaches it</source>
        <translation>向下取整舍去了最后一行填充：没有窗口能到达它</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>the floor drops the last %1 padded columns: no window reaches them</source>
        <translation>向下取整舍去了最后 %1 列填充：没有窗口能到达它们</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the floor drops the last padded column: no window reaches it</source>
        <translation>向下取整舍去了最后一列填充：没有窗口能到达它</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>channel %1</source>
        <translation>通道 %1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Σ of %1 channel sums</source>
        <translation>Σ（%1 个通道之和）</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>tap %1 of %2</source>
        <translation>第 %1 个元素，共 %2 个</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>bias</source>
        <translation>偏置</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>running sum</source>
        <translation>累加和</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>each tap adds ∂L/∂y × w[%1, c, i, j] onto ∂L/∂x̃ at the cell it read</source>
        <translation>每个元素把 ∂L/∂y × w[%1, c, i, j] 加到它读取的 ∂L/∂x̃ 格子上</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>∂L/∂w[%1, c, i, j] += ∂L/∂y × the input value the tap read</source>
        <translation>∂L/∂w[%1, c, i, j] += ∂L/∂y × 该元素读取的输入值</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>over %1 outputs</source>
        <translation>（对 %1 个输出求和）</translation>
    </message>
</context>
<context>
    <name>CodePanel</name>
    <message>
        <location filename="../convviz/qt/side_panels.py" line="+218"/>
        <source>Run this with PyTorch: y, x.grad and conv.weight.grad equal the last frame&apos;s arrays.</source>
        <translation>用 PyTorch 运行这段代码：y、x.grad 和 conv.weight.grad 与最后一帧的数组相同。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <location line="+6"/>
        <source># These arrays come from a training run (%1); the code reproduces the visualizer&apos;s own pictures only.</source>
        <translation># 这些数组来自一次训练（%1）；这段代码只能重现可视化器自己的图片。</translation>
    </message>
</context>
<context>
    <name>ConfusionTable</name>
    <message>
        <location filename="../convviz/qt/training/results.py" line="+36"/>
        <source>said cat</source>
        <translation>判为猫</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>said dog</source>
        <translation>判为狗</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>is a cat</source>
        <translation>实为猫</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>is a dog</source>
        <translation>实为狗</translation>
    </message>
</context>
<context>
    <name>ControlPanel</name>
    <message>
        <location filename="../convviz/qt/controls.py" line="+108"/>
        <source>Image</source>
        <translation>图像</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Picture</source>
        <translation>图片</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>1 channel (gray)</source>
        <translation>1 个通道（灰度）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>3 channels (RGB)</source>
        <translation>3 个通道（RGB）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Channels</source>
        <translation>通道数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The working image&apos;s longer side, 4 to 256 pixels</source>
        <translation>工作图像的长边，4 到 256 像素</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Working size</source>
        <translation>工作尺寸</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Kernel</source>
        <translation>卷积核</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Kernel height KH, 1 to 15</source>
        <translation>卷积核高度 KH，1 到 15</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Kernel width KW, 1 to 15</source>
        <translation>卷积核宽度 KW，1 到 15</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Size</source>
        <translation>尺寸</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Output channels: how many filters, 1 to 16</source>
        <translation>输出通道：滤波器个数，1 到 16</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Filters</source>
        <translation>滤波器</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>all filters</source>
        <translation>所有滤波器</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Apply the preset to every filter, not only the one being edited</source>
        <translation>把预设应用到每个滤波器，而不只是正在编辑的那个</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Preset</source>
        <translation>预设</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Seed of the random preset</source>
        <translation>随机预设的种子</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Random seed</source>
        <translation>随机种子</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>add a bias</source>
        <translation>加偏置</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Bias</source>
        <translation>偏置</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>value</source>
        <translation>值</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Stride, padding, dilation, groups</source>
        <translation>步幅、填充、空洞、分组</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Stride</source>
        <translation>步幅</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>numbers</source>
        <translation>数值</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>valid (none)</source>
        <translation>valid（不填充）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>same (keep the size)</source>
        <translation>same（保持尺寸）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Padding</source>
        <translation>填充</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Padding mode</source>
        <translation>填充方式</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Dilation</source>
        <translation>空洞（膨胀）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Groups split the channels: each filter sees C/groups input channels</source>
        <translation>分组把通道分开：每个滤波器只看 C/groups 个输入通道</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Groups</source>
        <translation>分组</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>What to play</source>
        <translation>播放内容</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>forward</source>
        <translation>前向</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>forward and backward</source>
        <translation>前向和反向</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Mode</source>
        <translation>模式</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>∂L/∂y</source>
        <translation>∂L/∂y</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Seed of the random ∂L/∂y</source>
        <translation>随机 ∂L/∂y 的种子</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>∂L/∂y seed</source>
        <translation>∂L/∂y 种子</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>one output element</source>
        <translation>一个输出元素</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>one multiply-add</source>
        <translation>一次乘加</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>One frame is</source>
        <translation>一帧是</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reset to the default</source>
        <translation>恢复默认值</translation>
    </message>
    <message>
        <location line="+47"/>
        <source>can be %1</source>
        <translation>可以是 %1</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>working image %1×%2 from %3×%4 (scale %5)%6</source>
        <translation>工作图像 %1×%2，原图 %3×%4（缩放 %5）%6</translation>
    </message>
    <message>
        <location filename="../convviz/qt/i18n.py" line="-146"/>
        <source>identity</source>
        <translation>恒等</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>box</source>
        <translation>均值</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>gaussian</source>
        <translation>高斯</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>sobel x</source>
        <translation>Sobel x</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>sobel y</source>
        <translation>Sobel y</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>laplacian</source>
        <translation>拉普拉斯</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>sharpen</source>
        <translation>锐化</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>emboss</source>
        <translation>浮雕</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>random</source>
        <translation>随机</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Identity: a single 1 at the centre, so the output copies the input</source>
        <translation>恒等：只有中心为 1，输出就是输入的复制</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Box blur: every weight equal, summing to 1 (the mean of the window)</source>
        <translation>均值模糊：所有权重相等，总和为 1（窗口的平均值）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Gaussian blur: binomial weights (1 2 1 at 3×3), heavier at the centre, summing to 1</source>
        <translation>高斯模糊：二项式权重（3×3 时为 1 2 1），中心较重，总和为 1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Sobel x: a horizontal derivative; positive where the image gets brighter to the right</source>
        <translation>Sobel x：水平方向的导数；图像向右变亮处为正</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Sobel y: a vertical derivative; positive where the image gets brighter downwards</source>
        <translation>Sobel y：竖直方向的导数；图像向下变亮处为正</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Laplacian: the centre against its neighbours; zero on flat and linear areas, strong on edges</source>
        <translation>拉普拉斯：中心与邻居相比较；在平坦和线性区域为零，在边缘处很强</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Sharpen: identity minus the Laplacian, so edges are pushed apart</source>
        <translation>锐化：恒等减去拉普拉斯，使边缘更分明</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Emboss: a diagonal derivative plus the identity, so the picture looks carved in relief</source>
        <translation>浮雕：对角方向的导数加上恒等，使图片像浮雕一样</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Random: normal values from the seed, scaled by 1/sqrt(height × width)</source>
        <translation>随机：由种子生成的正态分布值，乘以 1/sqrt(高 × 宽)</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>ones (the gradient of sum(y))</source>
        <translation>全 1（sum(y) 的梯度）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>random normal values (seeded)</source>
        <translation>随机正态值（带种子）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>y (the gradient of ½·sum(y²))</source>
        <translation>y（½·sum(y²) 的梯度）</translation>
    </message>
</context>
<context>
    <name>CurvePlots</name>
    <message>
        <location filename="../convviz/qt/training/plots.py" line="+43"/>
        <source>Loss (BCE) per batch, and on the test set</source>
        <translation>每批的损失（BCE）及测试集损失</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Accuracy per epoch (chance: 0.5)</source>
        <translation>每轮的准确率（随机猜测：0.5）</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>epoch</source>
        <translation>轮次</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>batch</source>
        <translation>批次</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>smoothed</source>
        <translation>平滑</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>test (epoch)</source>
        <translation>测试（每轮）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>train</source>
        <translation>训练</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>test</source>
        <translation>测试</translation>
    </message>
</context>
<context>
    <name>Document</name>
    <message>
        <location filename="../convviz/qt/document.py" line="+46"/>
        <source>Change %1</source>
        <translation>修改%1</translation>
    </message>
    <message>
        <location filename="../convviz/qt/i18n.py" line="-21"/>
        <source>image</source>
        <translation>图像</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>size</source>
        <translation>尺寸</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>channels</source>
        <translation>通道数</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>filters</source>
        <translation>滤波器</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>kernel size</source>
        <translation>卷积核尺寸</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>kernel preset</source>
        <translation>卷积核预设</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>seed</source>
        <translation>种子</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>kernel values</source>
        <translation>卷积核数值</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>bias</source>
        <translation>偏置</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>bias value</source>
        <translation>偏置值</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>stride</source>
        <translation>步幅</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>dilation</source>
        <translation>空洞</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>padding</source>
        <translation>填充</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>padding mode</source>
        <translation>填充方式</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>groups</source>
        <translation>分组</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>mode</source>
        <translation>模式</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>grad_output</source>
        <translation>grad_output</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>grad seed</source>
        <translation>梯度种子</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>granularity</source>
        <translation>帧粒度</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>nothing</source>
        <translation>无</translation>
    </message>
</context>
<context>
    <name>FeatureMaps</name>
    <message>
        <location filename="../convviz/qt/training/filters.py" line="+145"/>
        <source>Feature maps: start a run</source>
        <translation>特征图：请先开始训练</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>input</source>
        <translation>输入</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Test image %1 through every layer (the first %2 channels of each, one grey scale per layer), %3: %4</source>
        <translation>测试图像 %1 经过每一层（每层前 %2 个通道，每层一个灰度刻度），%3：%4</translation>
    </message>
</context>
<context>
    <name>FilterGrid</name>
    <message>
        <location line="-93"/>
        <source>First layer&apos;s filters: not trained yet</source>
        <translation>第一层的滤波器：尚未训练</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>First layer&apos;s %1 filters (%2×%3×%4), %5; grey = 0</source>
        <translation>第一层的 %1 个滤波器（%2×%3×%4），%5；灰色 = 0</translation>
    </message>
</context>
<context>
    <name>GroupsPanel</name>
    <message>
        <location filename="../convviz/qt/side_panels.py" line="-161"/>
        <source>rows: %1 input channels · columns: %2 filters · %3 group(s)</source>
        <translation>行：%1 个输入通道 · 列：%2 个滤波器 · %3 组</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Each filter reads %1 of the %2 input channels. Weights: F·(C/G)·KH·KW = %3·%4·%5·%6 = %7 (%8 with groups=1). Multiply-adds: F·OH·OW·(C/G)·KH·KW = %9.</source>
        <translation>每个滤波器读取 %2 个输入通道中的 %1 个。权重：F·(C/G)·KH·KW = %3·%4·%5·%6 = %7（groups=1 时为 %8）。乘加次数：F·OH·OW·(C/G)·KH·KW = %9。</translation>
    </message>
</context>
<context>
    <name>Im2colPanel</name>
    <message>
        <location line="+35"/>
        <source>This frame is not a window of the sliding phases.</source>
        <translation>这一帧不属于滑动窗口阶段。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The column matrix would be %1×%2, too large to draw here; choose a smaller working size to see it.</source>
        <translation>列矩阵将是 %1×%2，太大，无法在这里显示；请选择更小的工作尺寸来查看。</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>weight matrix of group %1: %2×%3</source>
        <translation>第 %1 组的权重矩阵：%2×%3</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>column matrix (im2col): %1×%2, one column per window</source>
        <translation>列矩阵（im2col）：%1×%2，每个窗口一列</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>This output is row %1 of the weight matrix times column %2 of the column matrix: the same %3 products as the window.</source>
        <translation>这个输出等于权重矩阵的第 %1 行乘以列矩阵的第 %2 列：与窗口中相同的 %3 个乘积。</translation>
    </message>
</context>
<context>
    <name>KernelEditor</name>
    <message>
        <location filename="../convviz/qt/kernel_editor.py" line="+31"/>
        <source>Which filter&apos;s weights the grid shows and edits</source>
        <translation>网格显示和编辑哪个滤波器的权重</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Which of the filter&apos;s input channels the grid shows</source>
        <translation>网格显示滤波器的哪个输入通道</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>filter f</source>
        <translation>滤波器 f</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>channel c</source>
        <translation>通道 c</translation>
    </message>
    <message>
        <location line="+54"/>
        <source>A kernel value must be a finite number such as -1, 0.25 or 2e-3, got &apos;%1&apos;</source>
        <translation>卷积核的值必须是有限的数，例如 -1、0.25 或 2e-3，而不是 &apos;%1&apos;</translation>
    </message>
</context>
<context>
    <name>LayerPassBox</name>
    <message>
        <location filename="../convviz/qt/training/layer_box.py" line="+28"/>
        <source>Backward pass of a layer</source>
        <translation>某一层的反向传播</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Layer</source>
        <translation>层</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>which image of the next batch</source>
        <translation>下一批中的哪张图像</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Image of the batch</source>
        <translation>批中的图像</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the first input channel</source>
        <translation>第一个输入通道</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>how many input channels</source>
        <translation>输入通道个数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the first filter</source>
        <translation>第一个滤波器</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>how many filters</source>
        <translation>滤波器个数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Input channels from, count</source>
        <translation>输入通道起点、个数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Filters from, count</source>
        <translation>滤波器起点、个数</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Open in the visualizer</source>
        <translation>在可视化器中打开</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>While paused: the real input, weights and ∂L/∂y of this layer for the next batch, played frame by frame in the visualizer</source>
        <translation>暂停时：把这一层在下一批中的真实输入、权重和 ∂L/∂y 放到可视化器中逐帧播放</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Pause the run to open a layer.</source>
        <translation>请先暂停训练再打开某一层。</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../convviz/qt/i18n.py" line="-38"/>
        <source>Standard</source>
        <translation>标准</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>High contrast</source>
        <translation>高对比度</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Colour-blind safe</source>
        <translation>色盲友好</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>shapes</source>
        <translation>形状</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>digit</source>
        <translation>数字</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>checker</source>
        <translation>棋盘格</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>stripes</source>
        <translation>条纹</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>gradient</source>
        <translation>渐变</translation>
    </message>
    <message>
        <location filename="../convviz/qt/main_window.py" line="+23"/>
        <source>Visualizer</source>
        <translation>可视化</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Training</source>
        <translation>训练</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Parameters</source>
        <translation>参数</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Groups</source>
        <translation>分组</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>im2col</source>
        <translation>im2col</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Two roads to ∂L/∂x</source>
        <translation>求 ∂L/∂x 的两条路</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>PyTorch code</source>
        <translation>PyTorch 代码</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>More views</source>
        <translation>更多视图</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Lesson</source>
        <translation>课程</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Open image…</source>
        <translation>打开图像(&amp;O)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open &amp;recent</source>
        <translation>最近打开(&amp;R)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Samples</source>
        <translation>示例图像(&amp;S)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Export &amp;animation…</source>
        <translation>导出动画(&amp;A)…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Export &amp;picture…</source>
        <translation>导出图片(&amp;P)…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Open &amp;scene…</source>
        <translation>打开场景(&amp;S)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sa&amp;ve scene…</source>
        <translation>保存场景(&amp;V)…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Lessons</source>
        <translation>课程(&amp;L)</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Undo</source>
        <translation>撤销(&amp;U)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Redo</source>
        <translation>重做(&amp;R)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;Presenter mode</source>
        <translation>演示模式(&amp;P)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>P&amp;alette</source>
        <translation>配色(&amp;A)</translation>
    </message>
    <message>
        <location line="+87"/>
        <source>Open an image</source>
        <translation>打开图像</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Images (%1)</source>
        <translation>图像 (%1)</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Opened %1</source>
        <translation>已打开 %1</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Open a scene</source>
        <translation>打开场景</translation>
    </message>
    <message>
        <location line="+0"/>
        <location line="+6"/>
        <source>convviz scenes (*.json)</source>
        <translation>convviz 场景 (*.json)</translation>
    </message>
    <message>
        <location line="-1"/>
        <source>Save the scene</source>
        <translation>保存场景</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Opened the scene %1</source>
        <translation>已打开场景 %1</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>cannot save the scene to %1: %2</source>
        <translation>无法把场景保存到 %1：%2</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Saved the scene to %1</source>
        <translation>场景已保存到 %1</translation>
    </message>
</context>
<context>
    <name>MistakesGallery</name>
    <message>
        <location filename="../convviz/qt/training/results.py" line="+29"/>
        <source>Misclassified test images: none yet</source>
        <translation>分类错误的测试图像：暂无</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>#%1 is a %2, P(cat)=%3</source>
        <translation>#%1 是%2，P(猫)=%3</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Misclassified: %1 of %2 test images (the %3 most confidently wrong shown)</source>
        <translation>分类错误：%2 张测试图像中有 %1 张（显示最自信却错误的 %3 张）</translation>
    </message>
    <message>
        <location filename="../convviz/qt/i18n.py" line="+44"/>
        <source>cat</source>
        <translation>猫</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>dog</source>
        <translation>狗</translation>
    </message>
</context>
<context>
    <name>PhaseSlider</name>
    <message>
        <location line="-7"/>
        <source>pad</source>
        <translation>填充</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>dilate</source>
        <translation>膨胀</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>slide</source>
        <translation>滑动</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>scatter</source>
        <translation>散布</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>weight grad</source>
        <translation>权重梯度</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>bias grad</source>
        <translation>偏置梯度</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>fold</source>
        <translation>折回</translation>
    </message>
</context>
<context>
    <name>PlayerBar</name>
    <message>
        <location filename="../convviz/qt/player_bar.py" line="+73"/>
        <source>Previous phase (Shift+Left)</source>
        <translation>上一阶段 (Shift+Left)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Step back (Left)</source>
        <translation>后退一帧 (Left)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Play / pause (Space)</source>
        <translation>播放 / 暂停 (Space)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Step forward (Right)</source>
        <translation>前进一帧 (Right)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Next phase (Shift+Right)</source>
        <translation>下一阶段 (Shift+Right)</translation>
    </message>
    <message>
        <location line="+9"/>
        <source> frames/s</source>
        <translation> 帧/秒</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Playing speed, 0.5 to 120 frames a second (+ and −)</source>
        <translation>播放速度，每秒 0.5 到 120 帧（+ 和 −）</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>frame %1 of %2</source>
        <translation>第 %1 帧，共 %2 帧</translation>
    </message>
    <message>
        <location filename="../convviz/qt/i18n.py" line="-7"/>
        <source>pad</source>
        <translation>填充</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>dilate</source>
        <translation>膨胀</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>slide</source>
        <translation>滑动</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>scatter</source>
        <translation>散布</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>weight grad</source>
        <translation>权重梯度</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>bias grad</source>
        <translation>偏置梯度</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>fold</source>
        <translation>折回</translation>
    </message>
    <message>
        <location line="+0"/>
        <location filename="../convviz/qt/player_bar.py" line="+2"/>
        <source>frames</source>
        <translation>帧</translation>
    </message>
</context>
<context>
    <name>ResultsPanel</name>
    <message>
        <location filename="../convviz/qt/training/results.py" line="+45"/>
        <source>Test results: after the first epoch, or when paused</source>
        <translation>测试结果：第一轮结束后或暂停时显示</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>accuracy: %1 (%2/%3)</source>
        <translation>准确率：%1（%2/%3）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Test set, %1:
%2, loss %3</source>
        <translation>测试集，%1：
%2，损失 %3</translation>
    </message>
</context>
<context>
    <name>RoadsPanel</name>
    <message>
        <location filename="../convviz/qt/side_panels.py" line="+42"/>
        <source>Choose the backward mode to see the two roads to ∂L/∂x.</source>
        <translation>选择反向模式，查看求 ∂L/∂x 的两条路。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>∂L/∂y spread: stride−1 zeros between, padded by the kernel&apos;s reach (filter 0) %1</source>
        <translation>展开的 ∂L/∂y：元素之间插入 (步幅−1) 个零，四周按卷积核的覆盖范围填充（滤波器 0）%1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>the kernel turned 180°, filters ↔ channels (channel 0, filter 0)</source>
        <translation>卷积核旋转 180°，滤波器 ↔ 通道（通道 0，滤波器 0）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>transposed convolution = ∂L/∂x̃ (channel 0) %1</source>
        <translation>转置卷积 = ∂L/∂x̃（通道 0）%1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>agree</source>
        <translation>一致</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>DISAGREE</source>
        <translation>不一致</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Scatter-add and transposed convolution %1: largest difference %2 (rounding allows %3).</source>
        <translation>散布累加与转置卷积%1：最大差值 %2（舍入误差允许 %3）。</translation>
    </message>
</context>
<context>
    <name>RunForm</name>
    <message>
        <location filename="../convviz/qt/training/form.py" line="+39"/>
        <source>Run</source>
        <translation>训练设置</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Built-in cartoon cats and dogs</source>
        <translation>内置的卡通猫狗</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cartoon faces drawn from the seed, or a folder in the source&apos;s layout (ROOT/training_set/{cats,dogs}, ROOT/test_set/{cats,dogs})</source>
        <translation>由种子画出的卡通脸，或按原始资料目录结构组织的文件夹（ROOT/training_set/{cats,dogs}、ROOT/test_set/{cats,dogs}）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Choose a photo folder…</source>
        <translation>选择照片文件夹…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Data</source>
        <translation>数据</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>small CNN, 64×64</source>
        <translation>小型 CNN，64×64</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>source network, 224×224</source>
        <translation>原始网络，224×224</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>training images per class</source>
        <translation>每类训练图像数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>test images per class</source>
        <translation>每类测试图像数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Per class (train, test)</source>
        <translation>每类（训练、测试）</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>epochs</source>
        <translation>轮数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>batch size</source>
        <translation>批大小</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Epochs, batch size</source>
        <translation>轮数、批大小</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Adam&apos;s learning rate; it can be changed while paused</source>
        <translation>Adam 的学习率；暂停时可以修改</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Learning rate</source>
        <translation>学习率</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>flips and small crops</source>
        <translation>翻转和小幅裁剪</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Augmentation</source>
        <translation>数据增强</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>initial weights, batch order, augmentation and the built-in images</source>
        <translation>初始权重、批次顺序、数据增强和内置图像</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Seed</source>
        <translation>种子</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>numpy (convviz&apos;s engine)</source>
        <translation>numpy（convviz 的引擎）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>torch</source>
        <translation>torch</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>torch (unavailable)</source>
        <translation>torch（不可用）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Backend</source>
        <translation>后端</translation>
    </message>
</context>
<context>
    <name>SaliencyView</name>
    <message>
        <location filename="../convviz/qt/training/results.py" line="-50"/>
        <source>Saliency: start a run</source>
        <translation>显著图：请先开始训练</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Saliency of test image %1, %2: |∂P(cat)/∂x| (brightest = largest)</source>
        <translation>测试图像 %1 的显著图，%2：|∂P(cat)/∂x|（越亮越大）</translation>
    </message>
</context>
<context>
    <name>TrainingJobs</name>
    <message>
        <location filename="../convviz/qt/training/jobs.py" line="+42"/>
        <source>conv%1 (layer %2)</source>
        <translation>卷积层 %1（第 %2 层）</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>now, after %1 steps (%2 epochs done)</source>
        <translation>当前，%1 步之后（已完成 %2 轮）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>before training</source>
        <translation>训练之前</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>after epoch %1</source>
        <translation>第 %1 轮之后</translation>
    </message>
</context>
<context>
    <name>TrainingView</name>
    <message>
        <location filename="../convviz/qt/training/view.py" line="+71"/>
        <source>Choose the settings and press Start.</source>
        <translation>选好设置后按“开始”。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Save…</source>
        <translation>保存…</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Open…</source>
        <translation>打开…</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Checkpoint (.npz)</source>
        <translation>检查点 (.npz)</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>the test image for the feature maps and the saliency</source>
        <translation>用于特征图和显著图的测试图像</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Follow the run</source>
        <translation>跟随训练</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Test image</source>
        <translation>测试图像</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Filters and feature maps</source>
        <translation>滤波器和特征图</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Test results</source>
        <translation>测试结果</translation>
    </message>
    <message>
        <location line="+50"/>
        <source>Training.</source>
        <translation>正在训练。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Stopped after %1 steps.</source>
        <translation>已在 %1 步后停止。</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Loading %1…</source>
        <translation>正在加载 %1…</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Nothing to save yet: start a run first.</source>
        <translation>还没有可保存的内容：请先开始训练。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Saved %1.</source>
        <translation>已保存 %1。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Pause the run before opening a checkpoint.</source>
        <translation>打开检查点前请先暂停训练。</translation>
    </message>
    <message>
        <location line="+22"/>
        <location line="+132"/>
        <source>after epoch %1</source>
        <translation>第 %1 轮之后</translation>
    </message>
    <message>
        <location line="-127"/>
        <source>Pause the run to open a layer&apos;s backward pass.</source>
        <translation>请先暂停训练，再打开某一层的反向传播。</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>Preparing the run…</source>
        <translation>正在准备训练…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Opening %1…</source>
        <translation>正在打开 %1…</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Continuing from %1 (%2 epochs done).</source>
        <translation>从 %1 继续（已完成 %2 轮）。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>A folder with training_set/ and test_set/</source>
        <translation>包含 training_set/ 和 test_set/ 的文件夹</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Save the run</source>
        <translation>保存训练</translation>
    </message>
    <message>
        <location line="+0"/>
        <location line="+5"/>
        <source>Checkpoints (*.npz)</source>
        <translation>检查点 (*.npz)</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Open a run</source>
        <translation>打开训练</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Learning rate %1 from the next step.</source>
        <translation>从下一步起学习率为 %1。</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>Loaded %1 training and %2 test images from %3.</source>
        <translation>已从 %3 加载 %1 张训练图像和 %2 张测试图像。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Skipped %1 files (%2).</source>
        <translation>跳过了 %1 个文件（%2）。</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>epoch %1: train accuracy %2, test accuracy %3</source>
        <translation>第 %1 轮：训练准确率 %2，测试准确率 %3</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Paused after %1 steps: change the learning rate, open a layer in the visualizer, save, or resume.</source>
        <translation>已在 %1 步后暂停：可以修改学习率、在可视化器中打开某一层、保存或继续。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>now (paused)</source>
        <translation>当前（已暂停）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Finished: %1 epochs.</source>
        <translation>完成：共 %1 轮。</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Training on %1 images (%2 per batch).</source>
        <translation>正在用 %1 张图像训练（每批 %2 张）。</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>epoch %1/%2 · batch %3/%4 · %5 images/s · %6 left · loss %7</source>
        <translation>第 %1/%2 轮 · 第 %3/%4 批 · %5 张/秒 · 剩余 %6 · 损失 %7</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>cat</source>
        <translation>猫</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>dog</source>
        <translation>狗</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>P(cat) = %1, it is a %2</source>
        <translation>P(猫) = %1，实际是%2</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Resume</source>
        <translation>继续</translation>
    </message>
    <message>
        <location filename="../convviz/qt/i18n.py" line="+9"/>
        <location filename="../convviz/qt/training/view.py" line="+0"/>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Start</source>
        <translation>开始</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
</context>
</TS>
