fn expansion() {
    let _ = {
        static __SITE: ::foal::__private::Site = ::foal::__private::Site::new(
            "(c.name, count(o for o in c.orders if o.total > 100.0)) for c in Customer for x in recent if x.id == c.id",
        );
        let __s0 = ::foal::__private::query_value(&(recent));
        let __o0: u16 = ::core::convert::TryFrom::try_from(0usize).unwrap_or(u16::MAX);
        let __q0 = ::foal::__private::Query::with_sources(
            &__SITE,
            &[__s0.entry_id()],
            {
                let mut __all = ::std::vec::Vec::from([]);
                __all.extend_from_slice(__s0.params());
                __all
            },
            |__b: &::foal::__private::Builder| {
                let __v1 = __b.source::<Customer>("c");
                let __v2 = ::foal::__private::Query::source_in(__s0, __b, __o0, "x");
                ::foal::__private::filter(
                    __b,
                    ::foal::__private::ops::eq(
                        ::foal::__private::ops::pair(
                            ::foal::__private::field(__b, &__v2, |__f| &__f.id),
                            ::foal::__private::field(__b, &__v1, |__f| &__f.id),
                        ),
                    ),
                );
                (
                    ::foal::__private::field(__b, &__v1, |__f| &__f.name),
                    ::foal::__private::scalar(
                        __b
                            .subquery(|| {
                                let __v3 = ::foal::__private::relations::join(
                                    __b,
                                    ::foal::__private::field(__b, &__v1, |__f| &__f.orders),
                                    "o",
                                );
                                ::foal::__private::filter(
                                    __b,
                                    ::foal::__private::ops::gt(
                                        ::foal::__private::ops::pair(
                                            ::foal::__private::field(__b, &__v3, |__f| &__f.total),
                                            ::foal::__private::lit(100.0),
                                        ),
                                    ),
                                );
                                ::foal::__private::count_row(__b, &__v3, false)
                            }),
                    ),
                )
            },
        );
        __q0
    };
}
