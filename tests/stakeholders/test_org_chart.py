from stakeholders.org_chart import is_below, manager_chain_has_cycle


def test_a_chain_up_to_the_top_has_no_cycle():
    assert not manager_chain_has_cycle({1: 2, 2: 3, 3: None}, 1)


def test_a_chain_that_comes_back_has_a_cycle():
    assert manager_chain_has_cycle({1: 2, 2: 3, 3: 1}, 1)
    assert manager_chain_has_cycle({1: 1}, 1)


def test_a_loop_above_the_start_counts_as_a_cycle():
    assert manager_chain_has_cycle({1: 2, 2: 3, 3: 2}, 1)


def test_is_below_finds_an_ancestor_and_ends_on_a_loop():
    parents = {1: 2, 2: 3, 3: None, 4: 5, 5: 4}
    assert is_below(parents, 1, 3)
    assert not is_below(parents, 3, 1)
    assert not is_below(parents, 4, 9)
