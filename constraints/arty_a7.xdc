## Arty A7-35T (XC7A35T-1CSG324C): pins of the neurocore-hw board top level
## (rtl_gen/board.py). Board clock 100 MHz. Synthesis counts only in this project
## (there is no open place-and-route for 7-series); use with Vivado.
set_property -dict { PACKAGE_PIN E3  IOSTANDARD LVCMOS33 } [get_ports { clk }];   # 100 MHz
create_clock -add -name sys_clk_pin -period 10.00 -waveform {0 5} [get_ports { clk }];
set_property -dict { PACKAGE_PIN C2  IOSTANDARD LVCMOS33 } [get_ports { rst_n }]; # ck_rst, active low
set_property -dict { PACKAGE_PIN A9  IOSTANDARD LVCMOS33 } [get_ports { rx }];    # uart_txd_in
set_property -dict { PACKAGE_PIN D10 IOSTANDARD LVCMOS33 } [get_ports { tx }];    # uart_rxd_out
set_property -dict { PACKAGE_PIN H5  IOSTANDARD LVCMOS33 } [get_ports { led }];   # LD4, active high
