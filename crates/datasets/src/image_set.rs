//! Images held in memory as raw bytes, the form every dataset here comes in.

/// Which half of a dataset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Split {
    Train,
    Test,
}

/// `len` images of `shape` (channels, height, width) stored as u8, channel-major per image,
/// and one label per image.
#[derive(Clone, Debug, PartialEq)]
pub struct ImageSet {
    pub shape: [usize; 3],
    pub pixels: Vec<u8>,
    pub labels: Vec<u8>,
    pub classes: Vec<String>,
}

impl ImageSet {
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    pub fn image_len(&self) -> usize {
        self.shape.iter().product()
    }

    pub fn image(&self, index: usize) -> &[u8] {
        let n = self.image_len();
        &self.pixels[index * n..(index + 1) * n]
    }

    /// Number of images of each class.
    pub fn class_counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.classes.len()];
        for &label in &self.labels {
            if let Some(c) = counts.get_mut(label as usize) {
                *c += 1;
            }
        }
        counts
    }

    /// The images at `indices`, in that order.
    pub fn select(&self, indices: &[usize]) -> ImageSet {
        let n = self.image_len();
        let mut pixels = Vec::with_capacity(indices.len() * n);
        let mut labels = Vec::with_capacity(indices.len());
        for &i in indices {
            pixels.extend_from_slice(self.image(i));
            labels.push(self.labels[i]);
        }
        ImageSet { shape: self.shape, pixels, labels, classes: self.classes.clone() }
    }

    /// The first `n` images.
    pub fn first(&self, n: usize) -> ImageSet {
        let indices: Vec<usize> = (0..n.min(self.len())).collect();
        self.select(&indices)
    }

    /// The first `n` images of each class, keeping the original order: a class-balanced subset.
    pub fn per_class(&self, n: usize) -> ImageSet {
        let mut taken = vec![0; self.classes.len()];
        let indices: Vec<usize> = (0..self.len())
            .filter(|&i| {
                let c = self.labels[i] as usize;
                let keep = taken[c] < n;
                taken[c] += keep as usize;
                keep
            })
            .collect();
        self.select(&indices)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_class_subset_is_balanced_and_ordered() {
        let set = ImageSet {
            shape: [1, 1, 1],
            pixels: (0..10).collect(),
            labels: vec![0, 1, 0, 0, 1, 2, 2, 0, 1, 1],
            classes: vec!["a".into(), "b".into(), "c".into()],
        };
        let sub = set.per_class(2);
        assert_eq!(sub.labels, vec![0, 1, 0, 1, 2, 2]);
        assert_eq!(sub.pixels, vec![0, 1, 2, 4, 5, 6]);
        assert_eq!(set.first(3).labels, vec![0, 1, 0]);
        assert_eq!(set.class_counts(), vec![4, 4, 2]);
    }
}
