//! The study's pictures: first-layer filters as RGB patches (each filter scaled on its own, and
//! all with one shared scale, so dead or tiny filters show), and one test image's feature maps
//! after each layer.

use crate::toolkit::saved::eval_batcher;
use actlab_datasets::LoadedDataset;
use actlab_models::Model;
use actlab_models::probe::Hidden;
use actlab_train::UncheckedConfig;
use std::path::Path;

use crate::ExperimentError;
use crate::filters::run::Filters;
use crate::toolkit::mosaic::{Panel, Tile, save_mosaic};

/// How a filter's weights become colours.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scale {
    /// Each filter stretched from its own minimum (black) to its maximum (white).
    PerFilter,
    /// Zero is mid-grey and the largest |weight| of the set is full colour, for every filter.
    Shared,
}

/// One tile per filter: RGB for three input channels, grey for one (the others' mean otherwise).
pub fn filter_tiles(filters: &Filters, scale: Scale) -> Vec<Tile> {
    let [n, c, k, _] = filters.dims;
    let size = c * k * k;
    let largest = filters.values.iter().fold(0.0f32, |m, v| m.max(v.abs())).max(1e-12);
    filters
        .values
        .chunks(size)
        .take(n)
        .map(|f| {
            let (lo, hi) = f.iter().fold((f32::MAX, f32::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)));
            let level = |v: f32| -> u8 {
                let t = match scale {
                    Scale::PerFilter => (v - lo) / (hi - lo).max(1e-12),
                    Scale::Shared => 0.5 + 0.5 * v / largest,
                };
                (t.clamp(0.0, 1.0) * 255.0).round() as u8
            };
            let pixels = (0..k * k)
                .map(|p| {
                    let channel = |i: usize| f[(i.min(c - 1)) * k * k + p];
                    if c >= 3 { [level(channel(0)), level(channel(1)), level(channel(2))] } else { [level(channel(0)); 3] }
                })
                .collect();
            Tile { width: k, height: k, pixels }
        })
        .collect()
}

/// `filters.png` and `filters.svg`: the initial filters, then each activation's trained filters;
/// the first row scaled per filter, the second with one shared scale.
pub fn filters_figure(out: &Path, init: &Filters, trained: &[(String, Filters)]) -> Result<(), ExperimentError> {
    let mut panels = Vec::new();
    for (scale, words) in [(Scale::PerFilter, "each filter scaled"), (Scale::Shared, "one scale for all")] {
        panels.push(Panel { title: format!("at initialisation ({words})"), tiles: filter_tiles(init, scale), columns: 8 });
        for (activation, filters) in trained {
            panels.push(Panel { title: format!("{activation}, trained ({words})"), tiles: filter_tiles(filters, scale), columns: 8 });
        }
    }
    save_mosaic(&panels, 1 + trained.len(), 10, &out.join("filters"), true)?;
    Ok(())
}

/// The feature maps shown per layer (the first channels).
const CHANNELS_SHOWN: usize = 16;

/// Tiles of one hidden layer's maps for one image, scaled from the layer's minimum (black; ReLU's
/// zeros) to its maximum (white).
fn map_tiles(hidden: &Hidden) -> Vec<Tile> {
    let Hidden::Map(x) = hidden else { return Vec::new() };
    let [_, c, h, w] = x.dims();
    let values = x.clone().into_data().convert::<f32>().try_to_vec::<f32>().unwrap_or_default();
    let (lo, hi) = values.iter().fold((f32::MAX, f32::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)));
    values
        .chunks(h * w)
        .take(c.min(CHANNELS_SHOWN))
        .map(|m| Tile::grey(w, h, &m.iter().map(|v| (v - lo) / (hi - lo).max(1e-12)).collect::<Vec<_>>()))
        .collect()
}

/// `features.png` and `features.svg`: the first test image, and each activation's feature maps after each layer.
pub fn features_figure(
    out: &Path,
    config: &UncheckedConfig,
    data: &LoadedDataset,
    nets: &[(String, Model)],
) -> Result<(), ExperimentError> {
    let set = data.test.as_ref().unwrap_or(&data.train);
    let [c, h, w] = set.shape;
    let raw: Vec<[u8; 3]> = (0..h * w).map(|p| std::array::from_fn(|i| set.pixels[(i.min(c - 1)) * h * w + p])).collect();
    let mut panels = Vec::new();
    let mut rows = 0;
    for (activation, model) in nets {
        let (batcher, device) = eval_batcher(model, config, data);
        let batch = batcher.batch(set, &[0], None, &device);
        let (_, hidden) = model.forward_probed(batch.images);
        panels.push(Panel {
            title: format!("{activation}: test image 1"),
            tiles: vec![Tile { width: w, height: h, pixels: raw.clone() }],
            columns: 1,
        });
        for (layer, output) in hidden.iter().filter(|(_, o)| matches!(o, Hidden::Map(_))) {
            panels.push(Panel { title: format!("{activation}: after {layer}"), tiles: map_tiles(output), columns: 4 });
        }
        rows += 1;
    }
    let columns = panels.len() / rows.max(1);
    save_mosaic(&panels, columns, 3, &out.join("features"), true)?;
    Ok(())
}
