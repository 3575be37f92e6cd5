#pragma once
/// @file sampling.hpp
/// Samplers of unlabeled pairs (data/sampling/sampler.hpp is their concept): one unlabeled
/// batch per labeled batch.
/// - UniformSampler: the paper's default and the authors' release rule. For each labeled
///   row's user u, an item j uniform over all items, redrawn while (u, j) is a training pair.
/// - DNSSampler: Dynamic Negative Sampling (Zhang et al., SIGIR 2013): the highest-scoring of
///   a few uniform candidates. The paper's Appendix A.3 compares against it.
/// - SRNSSampler: SRNS (Ding et al., NeurIPS 2020): hard negatives from a per-user memory,
///   preferring those whose scores vary. Also in Appendix A.3.

#include "invlearn/data/sampling/choose_rows.hpp"
#include "invlearn/data/sampling/dns.hpp"
#include "invlearn/data/sampling/sampler.hpp"
#include "invlearn/data/sampling/source.hpp"
#include "invlearn/data/sampling/srns.hpp"
#include "invlearn/data/sampling/srns_pools.hpp"
#include "invlearn/data/sampling/uniform.hpp"
#include "invlearn/data/sampling/unlabeled_batch.hpp"
